/**
 * What the agent feeds the policy compiler: the cluster's stored policies
 * (CiliumNetworkPolicy and NetworkPolicy, normalized), this node's endpoints
 * and every known identity. The policy list keeps its identity between
 * changes so the compiler can skip unchanged policies by reference.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { WatchStore } from '../kvstore/watchStore.ts';
import type { EndpointState } from '../model/state.ts';
import type { LocalEndpoint } from '../policy/compile.ts';
import { parseStoredPolicy } from '../policy/normalize.ts';
import type { NormalizedPolicy } from '../policy/normalize.ts';
import type { Logger } from '../util/log.ts';

export const POLICY_KINDS = ['ciliumnetworkpolicies', 'networkpolicies'] as const;

export class PolicyStore {
  readonly #stores: WatchStore<NormalizedPolicy[]>[];
  #list: NormalizedPolicy[] | undefined;

  constructor(kv: KvBackend, logger: Logger, onChange: () => void) {
    const changed = (): void => {
      this.#list = undefined;
      onChange();
    };
    this.#stores = POLICY_KINDS.map(
      (plural) =>
        new WatchStore<NormalizedPolicy[]>({
          kv,
          prefix: keys.resourcesPrefix(plural),
          parse: (k, v) => parseStoredPolicy(plural, k, v),
          logger: logger.child({ watch: plural }),
          onUpsert: changed,
          onDelete: changed,
          onSynced: changed,
        }),
    );
  }

  start(): void {
    for (const s of this.#stores) s.start();
  }

  get synced(): Promise<void> {
    return Promise.all(this.#stores.map((s) => s.synced)).then(() => undefined);
  }

  isSynced(): boolean {
    return this.#stores.every((s) => s.isSynced());
  }

  /** Every normalized policy; the same array until a policy changes. */
  policies(): readonly NormalizedPolicy[] {
    this.#list ??= this.#stores.flatMap((s) => s.values().flat());
    return this.#list;
  }

  close(): void {
    for (const s of this.#stores) s.close();
  }
}

/** One endpoint as the compiler wants it. */
export function policyEndpoint(namespace: string, pod: string, ep: EndpointState): LocalEndpoint {
  return { namespace, pod, ip: ep.ip, identity: ep.identity, labels: ep.labels, namedPorts: ep.namedPorts };
}

/** This node's endpoints (entries of the cluster's endpoint store) as the compiler wants them. */
export function localPolicyEndpoints(entries: Iterable<readonly [string, EndpointState]>, cluster: string, node: string): LocalEndpoint[] {
  const out: LocalEndpoint[] = [];
  for (const [key, ep] of entries) {
    const k = parseKeyOf('endpoint', key);
    if (k === undefined || k.cluster !== cluster || ep.node !== node || ep.ip === '') continue;
    out.push(policyEndpoint(k.ns, k.pod, ep));
  }
  return out;
}
