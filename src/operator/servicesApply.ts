/**
 * Writes of the services controller. ClusterIP records are compare-and-swap:
 * an allocation is created only while the IP is free and its Service still
 * stands as read; a release deletes the record only while the same service
 * holds it. Exported ServiceState values are the operator's alone: put and
 * delete.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { ClusterIpAllocation } from '../model/state.ts';
import type { ClusterIpAllocation as Allocation } from '../model/state.ts';
import { comparesFor, readEntries } from '../model/resourceStore.ts';
import type { ActionOutcome } from './applyAction.ts';
import type { ClusterIpAction } from './clusterIpAllocator.ts';
import type { ServiceStateAction } from './servicesPlan.ts';

function parseAllocation(text: string | undefined): Allocation | undefined {
  return text === undefined ? undefined : tryParseJson(ClusterIpAllocation, text);
}

export async function applyClusterIpAction(kv: KvBackend, a: ClusterIpAction): Promise<ActionOutcome> {
  const allocKey = keys.clusterIpAllocation(a.ip);
  switch (a.type) {
    case 'allocateClusterIp': {
      const svcKey = keys.resource('services', a.namespace, a.name);
      const read = await readEntries(kv, [allocKey, svcKey]);
      if (read.get(allocKey) !== undefined || read.get(svcKey) === undefined) return 'skipped';
      const value: Allocation = { ip: a.ip, namespace: a.namespace, name: a.name };
      return (await kv.txn(comparesFor(read), [{ op: 'put', key: allocKey, value: JSON.stringify(value) }])) ? 'applied' : 'conflict';
    }
    case 'releaseClusterIp': {
      const read = await readEntries(kv, [allocKey]);
      const entry = read.get(allocKey);
      const owner = parseAllocation(entry?.value);
      // an unreadable record is released too: nothing could ever use it
      if (entry === undefined || (owner !== undefined && (owner.namespace !== a.namespace || owner.name !== a.name))) return 'skipped';
      return (await kv.txn(comparesFor(read), [{ op: 'delete', key: allocKey }])) ? 'applied' : 'conflict';
    }
  }
}

export async function applyServiceStateAction(kv: KvBackend, a: ServiceStateAction): Promise<ActionOutcome> {
  switch (a.type) {
    case 'putServiceState':
      await kv.put(a.key, JSON.stringify(a.state));
      return 'applied';
    case 'deleteServiceState':
      return (await kv.delete(a.key)) ? 'applied' : 'skipped';
  }
}

/** The log message and fields of an action (updates of backends are routine: the caller logs them at debug). */
export function describeServiceAction(a: ClusterIpAction | ServiceStateAction): [string, Record<string, unknown>] {
  switch (a.type) {
    case 'allocateClusterIp':
      return ['ClusterIP allocated', { service: `${a.namespace}/${a.name}`, ip: a.ip }];
    case 'releaseClusterIp':
      return ['ClusterIP released', { service: `${a.namespace}/${a.name}`, ip: a.ip }];
    case 'putServiceState':
      return [
        a.created ? 'service exported' : 'service state updated',
        { service: `${a.state.namespace}/${a.state.name}`, clusterIP: a.state.clusterIP, backends: a.state.backends.length, ready: a.state.backends.filter((b) => b.ready).length, global: a.state.global },
      ];
    case 'deleteServiceState':
      return ['service state deleted', { key: a.key }];
  }
}
