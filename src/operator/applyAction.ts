/**
 * Applies one operator action to the kvstore as a compare-and-swap: the keys
 * it depends on are read fresh, the action's precondition is checked against
 * them, and the write is guarded by their modRevisions. Values are edited as
 * raw JSON so fields this version does not know survive.
 */
import type { KvBackend, KvOp } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { KINDS } from '../model/kindRegistry.ts';
import { comparesFor, readEntries } from '../model/resourceStore.ts';
import type { OperatorAction } from './plan.ts';

/** applied: written; skipped: the precondition no longer holds; conflict: a guarded key changed meanwhile. */
export type ActionOutcome = 'applied' | 'skipped' | 'conflict';

type Json = Record<string, unknown>;

function parseJson(text: string | undefined): Json | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

function spec(obj: Json): Json {
  const s = obj['spec'];
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Json) : {};
}

async function guarded(kv: KvBackend, keysRead: readonly string[], decide: (values: (Json | undefined)[]) => KvOp[] | undefined): Promise<ActionOutcome> {
  const read = await readEntries(kv, keysRead);
  const ops = decide(keysRead.map((k) => parseJson(read.get(k)?.value)));
  if (ops === undefined) return 'skipped';
  return (await kv.txn(comparesFor(read), ops)) ? 'applied' : 'conflict';
}

export async function applyOperatorAction(kv: KvBackend, cluster: string, a: OperatorAction): Promise<ActionOutcome> {
  switch (a.type) {
    case 'assignPodCidr': {
      const nodeKey = keys.node(cluster, a.node);
      const allocKey = keys.nodeCidrAllocation(a.cidr);
      return guarded(kv, [nodeKey, allocKey], ([node, alloc]) => {
        if (node === undefined || node['podCIDR'] !== '') return undefined;
        if (alloc !== undefined && alloc['node'] !== a.node) return undefined;
        return [
          { op: 'put', key: nodeKey, value: JSON.stringify({ ...node, podCIDR: a.cidr }) },
          { op: 'put', key: allocKey, value: JSON.stringify({ cidr: a.cidr, node: a.node }) },
        ];
      });
    }
    case 'recordPodCidr': {
      const nodeKey = keys.node(cluster, a.node);
      const allocKey = keys.nodeCidrAllocation(a.cidr);
      return guarded(kv, [nodeKey, allocKey], ([node, alloc]) => {
        if (node?.['podCIDR'] !== a.cidr || alloc !== undefined) return undefined;
        return [{ op: 'put', key: allocKey, value: JSON.stringify({ cidr: a.cidr, node: a.node }) }];
      });
    }
    case 'releasePodCidr': {
      const nodeKey = keys.node(cluster, a.node);
      const allocKey = keys.nodeCidrAllocation(a.cidr);
      return guarded(kv, [nodeKey, allocKey], ([node, alloc]) => {
        if (alloc?.['node'] !== a.node) return undefined;
        const stillHeld = node !== undefined && (node['podCIDR'] === '' || node['podCIDR'] === a.cidr);
        return stillHeld ? undefined : [{ op: 'delete', key: allocKey }];
      });
    }
    case 'createPod': {
      const podKey = keys.resource('pods', a.pod.metadata.namespace, a.pod.metadata.name);
      const ref = a.pod.metadata.ownerReferences?.[0];
      const ownerKind = ref === undefined ? undefined : KINDS.find((k) => k.kind === ref.kind);
      const ownerKey = ref === undefined || ownerKind === undefined ? undefined : keys.resource(ownerKind.plural, a.pod.metadata.namespace, ref.name);
      return guarded(kv, ownerKey === undefined ? [podKey] : [podKey, ownerKey], ([pod, owner]) => {
        if (pod !== undefined || (ownerKey !== undefined && owner === undefined)) return undefined;
        return [{ op: 'put', key: podKey, value: JSON.stringify(a.pod) }];
      });
    }
    case 'deletePod':
      return (await kv.delete(keys.resource('pods', a.namespace, a.name))) ? 'applied' : 'skipped';
    case 'bindPod': {
      const podKey = keys.resource('pods', a.namespace, a.name);
      const nodeKey = keys.node(cluster, a.node);
      return guarded(kv, [podKey, nodeKey], ([pod, node]) => {
        if (pod === undefined || spec(pod)['nodeName'] !== undefined) return undefined;
        if (node === undefined || node['ready'] !== true || node['podCIDR'] === '' || node['podCIDR'] === undefined) return undefined;
        return [{ op: 'put', key: podKey, value: JSON.stringify({ ...pod, spec: { ...spec(pod), nodeName: a.node } }) }];
      });
    }
  }
}

/** The log message and fields of an action. */
export function describeAction(a: OperatorAction): [string, Record<string, unknown>] {
  switch (a.type) {
    case 'assignPodCidr':
      return ['podCIDR assigned', { node: a.node, cidr: a.cidr }];
    case 'recordPodCidr':
      return ['podCIDR allocation recorded', { node: a.node, cidr: a.cidr }];
    case 'releasePodCidr':
      return ['podCIDR released', { node: a.node, cidr: a.cidr }];
    case 'createPod':
      return ['pod created', { pod: `${a.pod.metadata.namespace}/${a.pod.metadata.name}`, node: a.pod.spec.nodeName, reason: a.reason }];
    case 'deletePod':
      return ['pod deleted', { pod: `${a.namespace}/${a.name}`, reason: a.reason }];
    case 'bindPod':
      return ['pod scheduled', { pod: `${a.namespace}/${a.name}`, node: a.node }];
  }
}
