/**
 * Turning a failed etcd call into a WeftError that says what happened, where
 * and to which operation: no answer within the deadline, etcd unreachable,
 * or etcd's RBAC refusing the operation (which no retry fixes).
 */
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { formatDuration } from '../util/duration.ts';

export type EtcdFailureKind = 'deadline' | 'permission' | 'breaker' | 'unavailable' | 'failed';

/** What kind of failure an error from etcd3 / gRPC is (by class name, gRPC status code and etcd's own words). */
export function classifyEtcdFailure(err: unknown): EtcdFailureKind {
  const name = err instanceof Error ? err.constructor.name : '';
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  const msg = errorMessage(err);
  if (name === 'EtcdPermissionDeniedError' || code === 7 || /PERMISSION_DENIED|etcdserver: permission denied/.test(msg)) return 'permission';
  if (name === 'GRPCDeadlineExceededError' || code === 4 || /DEADLINE_EXCEEDED|deadline exceeded/i.test(msg)) return 'deadline';
  if (name === 'BrokenCircuitError' || /circuit breaker is open/i.test(msg)) return 'breaker';
  if (name === 'GRPCUnavailableError' || name === 'ClientClosedError' || code === 14 || /UNAVAILABLE|ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT|ECONNRESET/.test(msg)) return 'unavailable';
  // etcd answered, with an error of its own (request too large, too many operations, …).
  return 'failed';
}

export interface EtcdCallSite {
  /** The endpoints, comma-separated. */
  where: string;
  /** The operation and key, e.g. `list weft/resources/pods/default/`. */
  what: string;
  /** The call's deadline; 0 = none. */
  timeoutMs: number;
  /** The client certificate whose CN is the etcd user, when TLS is used. */
  certFile?: string | undefined;
  /** The last real failure, shown when the circuit breaker refuses a call without trying it. */
  lastFailure?: string | undefined;
}

/** gRPC's text without etcd3's trailing "Resolution note:" noise. */
export function grpcDetail(err: unknown): string {
  return errorMessage(err).replace(/\.?\s*Resolution note:\s*$/, '');
}

/** The WeftError for a failed call. */
export function etcdCallError(err: unknown, site: EtcdCallSite): WeftError {
  const at = `etcd at ${site.where}`;
  const detail = grpcDetail(err);
  const opts = { cause: err, details: { endpoints: site.where, operation: site.what } };
  switch (classifyEtcdFailure(err)) {
    case 'permission': {
      const proxy = /weft mesh proxy: .*/.exec(detail)?.[0];
      if (proxy !== undefined) return new WeftError(ErrorCode.PermissionDenied, `${at} refused ${site.what}: ${proxy}`, opts);
      const user = site.certFile === undefined ? "this client's user" : `the user of certificate ${site.certFile}`;
      return new WeftError(ErrorCode.PermissionDenied, `${at} refused ${site.what}: permission denied by etcd RBAC to ${user}`, opts);
    }
    case 'deadline':
      return new WeftError(ErrorCode.KvUnavailable, `${at} did not answer within ${formatDuration(site.timeoutMs)} (${site.what}: ${detail})`, opts);
    case 'breaker':
      return new WeftError(
        ErrorCode.KvUnavailable,
        `${at} is unavailable (${site.what}: not tried again for up to 5s after repeated failures; last failure: ${site.lastFailure ?? 'unknown'})`,
        opts,
      );
    case 'unavailable':
      return new WeftError(ErrorCode.KvUnavailable, `${at} is unavailable (${site.what}: ${detail})`, opts);
    case 'failed':
      return new WeftError(ErrorCode.KvUnavailable, `${at}: ${site.what} failed: ${detail}`, opts);
  }
}
