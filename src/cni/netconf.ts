/**
 * The network configuration a runtime streams on stdin, validated by hand
 * (the plugin's import graph stays tiny: no zod). Every failure is a CNI
 * error naming the field and its value.
 */
import { CniCode, cniError } from './codes.ts';

export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export const DEFAULT_VERSION = '1.0.0';

export interface Attachment {
  containerId: string;
  ifName: string;
}

export interface WeftNetConf {
  cniVersion: string;
  name: string;
  type: string;
  /** The agent's unix socket. */
  socket: string;
  mtu?: number;
  prevResult?: Record<string, unknown>;
  /** GC only: the attachments the runtime still knows (cni.dev/valid-attachments). */
  validAttachments?: Attachment[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse stdin JSON; a syntax error is code 6 (decode failure). */
export function decodeJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw cniError(CniCode.DecodeFailure, `network configuration on stdin is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw cniError(CniCode.DecodeFailure, `network configuration on stdin must be a JSON object, got ${JSON.stringify(value)}`);
  return value;
}

export function checkVersion(version: unknown): string {
  if (typeof version !== 'string' || version === '') throw cniError(CniCode.InvalidConfig, `cniVersion ${JSON.stringify(version)} must be a non-empty string`);
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    throw cniError(CniCode.IncompatibleVersion, `cniVersion "${version}" is not supported; weft supports ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  return version;
}

function requireString(conf: Record<string, unknown>, field: string): string {
  const v = conf[field];
  if (typeof v !== 'string' || v === '') throw cniError(CniCode.InvalidConfig, `network configuration field "${field}" must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function parseAttachments(v: unknown): Attachment[] {
  if (!Array.isArray(v)) throw cniError(CniCode.InvalidConfig, `"cni.dev/valid-attachments" must be an array, got ${JSON.stringify(v)}`);
  return v.map((a: unknown) => {
    if (!isObject(a) || typeof a['containerID'] !== 'string' || typeof a['ifname'] !== 'string') {
      throw cniError(CniCode.InvalidConfig, `"cni.dev/valid-attachments" entry ${JSON.stringify(a)} needs string fields containerID and ifname`);
    }
    return { containerId: a['containerID'], ifName: a['ifname'] };
  });
}

export function parseNetConf(text: string): WeftNetConf {
  const conf = decodeJson(text);
  const cniVersion = checkVersion(conf['cniVersion']);
  const out: WeftNetConf = { cniVersion, name: requireString(conf, 'name'), type: requireString(conf, 'type'), socket: requireString(conf, 'socket') };
  if (!out.socket.startsWith('/')) throw cniError(CniCode.InvalidConfig, `network configuration field "socket" must be an absolute path, got "${out.socket}"`);
  if (conf['ipam'] !== undefined) {
    throw cniError(CniCode.UnsupportedField, `network configuration field "ipam" is not supported: the weft agent allocates pod addresses (got ${JSON.stringify(conf['ipam'])})`);
  }
  const mtu = conf['mtu'];
  if (mtu !== undefined) {
    if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535) {
      throw cniError(CniCode.InvalidConfig, `network configuration field "mtu" must be an integer 68-65535, got ${JSON.stringify(mtu)}`);
    }
    out.mtu = mtu;
  }
  const prev = conf['prevResult'];
  if (prev !== undefined) {
    if (!isObject(prev)) throw cniError(CniCode.InvalidConfig, `network configuration field "prevResult" must be an object, got ${JSON.stringify(prev)}`);
    out.prevResult = prev;
  }
  const valid = conf['cni.dev/valid-attachments'];
  if (valid !== undefined) out.validAttachments = parseAttachments(valid);
  return out;
}
