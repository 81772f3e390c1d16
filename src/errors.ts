/**
 * One error type for the whole project. Every failure carries a code from
 * `ErrorCode` and a message that names what was wrong and with which value.
 */
export const ErrorCode = {
  InvalidInput: 'InvalidInput',
  InvalidManifest: 'InvalidManifest',
  UnknownKind: 'UnknownKind',
  InvalidCidr: 'InvalidCidr',
  InvalidClusterId: 'InvalidClusterId',
  InvalidClusterName: 'InvalidClusterName',
  DuplicateCluster: 'DuplicateCluster',
  CidrOverlap: 'CidrOverlap',
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  PoolExhausted: 'PoolExhausted',
  KvUnavailable: 'KvUnavailable',
  KvInvalidValue: 'KvInvalidValue',
  /** etcd's RBAC refused the operation to this client's user (not a fault of etcd: retrying does not help). */
  PermissionDenied: 'PermissionDenied',
  CommandFailed: 'CommandFailed',
  Timeout: 'Timeout',
  NotRoot: 'NotRoot',
  LabState: 'LabState',
  CniError: 'CniError',
  Internal: 'Internal',
  /** A pod volume cannot be set up yet (its ConfigMap is missing): the pod waits in ContainerCreating. */
  VolumeNotReady: 'VolumeNotReady',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class WeftError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeftError';
    this.code = code;
    this.details = options?.details;
  }
}

export function isWeftError(err: unknown, code?: ErrorCode): err is WeftError {
  return err instanceof WeftError && (code === undefined || err.code === code);
}

/** The message of anything thrown, for logs and CLI output. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
