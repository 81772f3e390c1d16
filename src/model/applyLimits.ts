/**
 * Weft's limits on what one `weft apply -f` / `weft delete` writes, checked
 * before anything reaches etcd so an apply over a limit is refused whole,
 * naming the limit and the object (or the file). One apply is one etcd
 * transaction, so readers (agents, operator) see all of it at one revision
 * or none of it; the lab's etcd is started with room for these limits
 * (kvstore/etcdLimits.ts).
 */
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvCompare, KvOp } from '../kvstore/backend.ts';
import { ETCD_MAX_REQUEST_BYTES, ETCD_MAX_TXN_OPS } from '../kvstore/etcdLimits.ts';
import { displayName, namespaceOf } from './kindRegistry.ts';
import type { Resource } from './resources.ts';

const MiB = 1024 * 1024;

/** Objects in one apply (one etcd transaction). */
export const MAX_OBJECTS_PER_APPLY = 2000;
/** One object as stored (its JSON), as Kubernetes' ~1.5 MiB per object. */
export const MAX_OBJECT_BYTES = 1.5 * MiB;
/** Keys and values written by one apply, together. */
export const MAX_APPLY_BYTES = 8 * MiB;
/** A manifest file (or standard input) read by apply, create or delete. */
export const MAX_MANIFEST_BYTES = 16 * MiB;

// The transaction around the writes (compares, framing) must fit etcd's request limit.
if (MAX_APPLY_BYTES + MiB > ETCD_MAX_REQUEST_BYTES) throw new Error('MAX_APPLY_BYTES leaves no room under ETCD_MAX_REQUEST_BYTES');

/** 1572864 bytes (1.5 MiB) */
export function formatBytes(n: number): string {
  return `${n} bytes (${Number((n / MiB).toFixed(2))} MiB)`;
}

/** pod/web in namespace "default" (kubectl's name; the namespace when the kind has one). */
export function describeObject(r: Resource): string {
  const ns = namespaceOf(r);
  return ns === undefined ? displayName(r) : `${displayName(r)} in namespace "${ns}"`;
}

function from(source: string | undefined): string {
  return source === undefined ? '' : `${source}: `;
}

/** Refuse more objects than one apply takes. */
export function checkObjectCount(count: number, source?: string): void {
  if (count > MAX_OBJECTS_PER_APPLY) {
    throw new WeftError(
      ErrorCode.InvalidInput,
      `${from(source)}${count} objects are over the limit of ${MAX_OBJECTS_PER_APPLY} objects per apply (one etcd transaction); split the file; nothing was applied`,
    );
  }
}

/** Refuse an object whose stored JSON is over MAX_OBJECT_BYTES. */
export function checkObjectSize(r: Resource, source?: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(r));
  if (bytes > MAX_OBJECT_BYTES) {
    throw new WeftError(
      ErrorCode.InvalidInput,
      `${from(source)}${describeObject(r)} is ${formatBytes(bytes)} as stored, over the limit of ${formatBytes(MAX_OBJECT_BYTES)} per object; nothing was applied`,
    );
  }
}

/** Every check on the objects of one apply. */
export function checkApplyLimits(docs: readonly Resource[], source?: string): void {
  checkObjectCount(docs.length, source);
  for (const d of docs) checkObjectSize(d, source);
}

/**
 * Refuse a transaction over etcd's operation limit or Weft's byte limit
 * before sending it (etcd would answer with an error that reads like an
 * outage). `what` names the command: "apply", "delete".
 */
export function checkTxnLimits(what: string, compares: readonly KvCompare[], ops: readonly KvOp[]): void {
  // etcd 3.4 counts guards and operations together (65 objects already exceed its default 128)
  if (compares.length + ops.length > ETCD_MAX_TXN_OPS) {
    throw new WeftError(
      ErrorCode.InvalidInput,
      `${what} needs ${ops.length} etcd operations and ${compares.length} guards in one transaction, over the limit of ${ETCD_MAX_TXN_OPS} together; change fewer objects at once; nothing was written`,
    );
  }
  let bytes = 0;
  for (const op of ops) bytes += Buffer.byteLength(op.op === 'deletePrefix' ? op.prefix : op.key) + (op.op === 'put' ? Buffer.byteLength(op.value) : 0);
  if (bytes > MAX_APPLY_BYTES) {
    throw new WeftError(
      ErrorCode.InvalidInput,
      `${what} writes ${formatBytes(bytes)} in one transaction, over the limit of ${formatBytes(MAX_APPLY_BYTES)} per apply; split the file; nothing was written`,
    );
  }
}
