/**
 * The etcd server limits Weft relies on, and the flags that set them on every
 * etcd the lab starts. etcd's defaults (128 operations per transaction,
 * 1.5 MiB per request) would make `weft apply -f` of 65 objects fail; Weft
 * raises them and keeps its own, smaller caps (model/applyLimits.ts) so an
 * apply is refused before it reaches etcd, naming the limit.
 */

/** etcd --max-txn-ops: operations of one transaction (Weft counts its guards with them, as etcd 3.4 does). */
export const ETCD_MAX_TXN_OPS = 8192;

/** etcd --max-request-bytes: one gRPC request (a whole transaction) in bytes: 10 MiB. */
export const ETCD_MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** The etcd server flags that set the limits above. */
export function etcdLimitFlags(): string[] {
  return [`--max-txn-ops=${ETCD_MAX_TXN_OPS}`, `--max-request-bytes=${ETCD_MAX_REQUEST_BYTES}`];
}
