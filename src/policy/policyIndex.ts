/**
 * Which policies select a local endpoint, without testing every policy:
 * policies are indexed per namespace by one `In` requirement of their
 * subject selector (key=value); those without one are scanned.
 */
import type { Contribution } from './contribution.ts';
import type { NormalizedPolicy } from './normalize.ts';
import { selectorMatches } from './selector.ts';

/** A policy with its resolved rules per direction (undefined: does not enforce it). */
export interface PolicyEntry {
  readonly policy: NormalizedPolicy;
  readonly ingress: Contribution | undefined;
  readonly egress: Contribution | undefined;
  readonly usesNamedPorts: boolean;
}

interface NamespacePolicies {
  readonly byLabel: Map<string, NormalizedPolicy[]>;
  readonly scan: NormalizedPolicy[];
}

const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

export class PolicyIndex {
  readonly #byNamespace = new Map<string, NamespacePolicies>();

  constructor(entries: readonly PolicyEntry[]) {
    for (const { policy } of entries) {
      let ns = this.#byNamespace.get(policy.namespace);
      if (ns === undefined) this.#byNamespace.set(policy.namespace, (ns = { byLabel: new Map(), scan: [] }));
      const anchor = policy.subject.requirements.find((r) => r.operator === 'In');
      if (anchor === undefined) {
        ns.scan.push(policy);
        continue;
      }
      for (const v of anchor.values) {
        const pk = pairKey(anchor.key, v);
        const list = ns.byLabel.get(pk);
        if (list === undefined) ns.byLabel.set(pk, [policy]);
        else list.push(policy);
      }
    }
  }

  /** Keys of the policies selecting an endpoint of `namespace` with `labels`, sorted. */
  selecting(namespace: string, labels: Readonly<Record<string, string>>): string[] {
    const ns = this.#byNamespace.get(namespace);
    if (ns === undefined) return [];
    const out: string[] = [];
    const test = (p: NormalizedPolicy): void => {
      if (selectorMatches(p.subject, labels)) out.push(p.key);
    };
    ns.scan.forEach(test);
    if (ns.byLabel.size > 0) {
      for (const [k, v] of Object.entries(labels)) ns.byLabel.get(pairKey(k, v))?.forEach(test);
    }
    return out.sort();
  }
}
