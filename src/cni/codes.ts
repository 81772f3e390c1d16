/**
 * CNI error codes and the one place a thrown error becomes a CNI error
 * object (the edge of the plugin). Inside the plugin everything throws
 * WeftError; a `cniCode` in its details picks the code, otherwise the
 * WeftError code is mapped here.
 */
import { WeftError, ErrorCode, isWeftError, errorMessage } from '../errors.ts';

/** Codes 1-99 are the spec's; 100+ are Weft's own. */
export const CniCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnv: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidConfig: 7,
  TryAgainLater: 11,
  NotAvailable: 50,
  PoolExhausted: 100,
  WiringFailed: 101,
  CheckFailed: 102,
  AgentRejected: 103,
  Internal: 999,
} as const;
export type CniCode = (typeof CniCode)[keyof typeof CniCode];

/** The error object a plugin prints on stdout (spec "Error" result). */
export interface CniErrorResult {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

/** A WeftError that carries the CNI code to report. */
export function cniError(code: CniCode, message: string, details?: string): WeftError {
  return new WeftError(ErrorCode.CniError, message, { details: details === undefined ? { cniCode: code } : { cniCode: code, detail: details } });
}

const BY_WEFT_CODE: Partial<Record<ErrorCode, CniCode>> = {
  [ErrorCode.PoolExhausted]: CniCode.PoolExhausted,
  [ErrorCode.CommandFailed]: CniCode.WiringFailed,
  [ErrorCode.Timeout]: CniCode.TryAgainLater,
  [ErrorCode.KvUnavailable]: CniCode.TryAgainLater,
  [ErrorCode.NotFound]: CniCode.UnknownContainer,
  [ErrorCode.InvalidInput]: CniCode.InvalidConfig,
  [ErrorCode.InvalidCidr]: CniCode.InvalidConfig,
};

function codeOf(err: WeftError): CniCode {
  const explicit = err.details?.['cniCode'];
  if (typeof explicit === 'number') return explicit as CniCode;
  return BY_WEFT_CODE[err.code] ?? CniCode.AgentRejected;
}

/** Map anything thrown to the spec's error object. */
export function toCniErrorResult(err: unknown, cniVersion: string): CniErrorResult {
  if (!isWeftError(err)) return { cniVersion, code: CniCode.Internal, msg: `internal error: ${errorMessage(err)}` };
  const out: CniErrorResult = { cniVersion, code: codeOf(err), msg: err.message };
  const detail = err.details?.['detail'];
  if (typeof detail === 'string' && detail !== '') out.details = detail;
  return out;
}
