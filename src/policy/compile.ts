/**
 * The policy compiler (pure: no I/O): normalized policies + the local
 * endpoints + every known identity → what each local endpoint allows, per
 * direction (EndpointPolicy, see types.ts).
 *
 * PolicyCompiler keeps caches between calls so that a small change costs
 * little: selector → matching identities (updated in place when a few
 * identities come or go), each policy's resolved rules (kept while the
 * policy object is the same reference and its selectors' matches did not
 * change), each endpoint's verdict (kept while the endpoint is unchanged and
 * no policy selecting it changed), and verdicts shared by endpoints selected
 * by the same policies. Pass the same objects for unchanged policies,
 * endpoints and identities (as a watch store does); a new array is fine.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { contributionOf } from './contribution.ts';
import type { Contribution, ScopeOptions } from './contribution.ts';
import { IdentityIndex, SelectorMemo } from './identityIndex.ts';
import { mergeDirection } from './merge.ts';
import type { EndpointNamedPort } from './merge.ts';
import type { NormalizedPolicy } from './normalize.ts';
import { PolicyIndex } from './policyIndex.ts';
import type { PolicyEntry } from './policyIndex.ts';
import type { DirectionVerdict, EndpointPolicy, IdentityInfo } from './types.ts';

/** A local endpoint to decide for (EndpointState's fields plus its name). */
export interface LocalEndpoint {
  readonly namespace: string;
  readonly pod: string;
  readonly ip: string;
  readonly identity: number;
  /** The identity's labels (plain keys, namespace and cluster included). */
  readonly labels: Readonly<Record<string, string>>;
  readonly namedPorts: readonly EndpointNamedPort[];
}

export interface PolicyCompileInput {
  /** The local cluster's name. */
  readonly cluster: string;
  /** ClusterConfig.policyDefaultLocalCluster (absent = true): a peer selector without a cluster label matches only the local cluster. */
  readonly defaultLocalCluster: boolean;
  /** Unique keys (NormalizedPolicy.key). */
  readonly policies: readonly NormalizedPolicy[];
  readonly endpoints: readonly LocalEndpoint[];
  /** Every known identity, local and remote (reserved ones need not be listed). */
  readonly identities: readonly IdentityInfo[];
}

/** What the last compile did (for logs and benchmarks). */
export interface CompileStats {
  identitiesChanged: number;
  identityRebuild: boolean;
  policiesResolved: number;
  endpointsRecomputed: number;
  selectors: number;
}

interface EndpointEntry {
  ep: LocalEndpoint;
  readonly sig: string;
  readonly policyKeys: readonly string[];
  readonly result: EndpointPolicy;
}

interface Verdicts {
  readonly ingress: DirectionVerdict;
  readonly egress: DirectionVerdict;
}

/** Above this share of changed identities, the index is rebuilt rather than patched. */
const REBUILD_RATIO = 0.1;

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function endpointSig(ep: LocalEndpoint): string {
  return `${ep.ip}|${ep.identity}|${JSON.stringify(ep.labels)}|${JSON.stringify(ep.namedPorts)}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class PolicyCompiler {
  #scope: ScopeOptions | undefined;
  #identitiesRef: readonly IdentityInfo[] | undefined;
  #index = new IdentityIndex();
  #memo = new SelectorMemo(this.#index);
  #policiesRef: readonly NormalizedPolicy[] | undefined;
  #policies = new Map<string, PolicyEntry>();
  #policyIndex = new PolicyIndex([]);
  #endpoints = new Map<string, EndpointEntry>();
  #endpointInput: readonly LocalEndpoint[] = [];
  #endpointEntries: EndpointEntry[] = [];
  #verdicts = new Map<string, Verdicts>();
  stats: CompileStats = { identitiesChanged: 0, identityRebuild: false, policiesResolved: 0, endpointsRecomputed: 0, selectors: 0 };

  compile(input: PolicyCompileInput): EndpointPolicy[] {
    const stats: CompileStats = { identitiesChanged: 0, identityRebuild: false, policiesResolved: 0, endpointsRecomputed: 0, selectors: 0 };
    if (this.#scope?.cluster !== input.cluster || this.#scope.defaultLocalCluster !== input.defaultLocalCluster) this.#reset(input);
    const changedSelectors = this.#syncIdentities(input.identities, stats);
    const { dirty, setChanged } = this.#syncPolicies(input.policies, changedSelectors, stats);
    if (dirty.size > 0) this.#verdicts.clear();
    const out = this.#syncEndpoints(input.endpoints, dirty, setChanged, stats);
    stats.selectors = this.#memo.size;
    this.stats = stats;
    return out;
  }

  #reset(input: PolicyCompileInput): void {
    this.#scope = { cluster: input.cluster, defaultLocalCluster: input.defaultLocalCluster };
    this.#identitiesRef = undefined;
    this.#index = new IdentityIndex();
    this.#memo = new SelectorMemo(this.#index);
    this.#policiesRef = undefined;
    this.#policies = new Map();
    this.#policyIndex = new PolicyIndex([]);
    this.#endpoints = new Map();
    this.#endpointInput = [];
    this.#endpointEntries = [];
    this.#verdicts = new Map();
  }

  /** Brings the index and memo up to date; returns the selectors whose matches changed ('*' = all). */
  #syncIdentities(identities: readonly IdentityInfo[], stats: CompileStats): ReadonlySet<string> {
    if (identities === this.#identitiesRef) return new Set();
    this.#identitiesRef = identities;
    const next = new Map<number, IdentityInfo>();
    for (const i of identities) next.set(i.id, i);
    const changed: number[] = [];
    for (const [id, info] of next) {
      const old = this.#index.byId.get(id);
      if (old === undefined || (old !== info && (old.cluster !== info.cluster || !sameLabels(old.labels, info.labels)))) changed.push(id);
    }
    for (const id of this.#index.byId.keys()) if (!next.has(id)) changed.push(id);
    stats.identitiesChanged = changed.length;
    if (changed.length === 0) return new Set();
    if (changed.length > Math.max(64, this.#index.byId.size * REBUILD_RATIO)) {
      this.#index = new IdentityIndex();
      for (const info of next.values()) this.#index.add(info);
      this.#memo = new SelectorMemo(this.#index);
      stats.identityRebuild = true;
      return new Set(['*']);
    }
    for (const id of changed) {
      const info = next.get(id);
      if (info === undefined) this.#index.remove(id);
      else this.#index.add(info);
    }
    return this.#memo.update(changed);
  }

  #resolve(policy: NormalizedPolicy, stats: CompileStats): PolicyEntry {
    stats.policiesResolved++;
    const scope = this.#scope ?? { cluster: '', defaultLocalCluster: true };
    const ingress = policy.ingress === undefined ? undefined : contributionOf(policy.ingress, this.#memo, scope);
    const egress = policy.egress === undefined ? undefined : contributionOf(policy.egress, this.#memo, scope);
    return { policy, ingress, egress, usesNamedPorts: (ingress?.named.length ?? 0) + (egress?.named.length ?? 0) > 0 };
  }

  #syncPolicies(policies: readonly NormalizedPolicy[], changedSelectors: ReadonlySet<string>, stats: CompileStats): { dirty: Set<string>; setChanged: boolean } {
    const dirty = new Set<string>();
    if (policies === this.#policiesRef && changedSelectors.size === 0) return { dirty, setChanged: false };
    this.#policiesRef = policies;
    const all = changedSelectors.has('*');
    const stale = (c: Contribution | undefined): boolean => c !== undefined && [...c.selectors].some((s) => changedSelectors.has(s));
    let setChanged = false;
    const next = new Map<string, PolicyEntry>();
    for (const p of policies) {
      if (next.has(p.key)) throw new WeftError(ErrorCode.Internal, `policy key ${p.key} is given twice to the policy compiler`);
      const prev = this.#policies.get(p.key);
      if (prev !== undefined && prev.policy === p) {
        const redo = all || stale(prev.ingress) || stale(prev.egress);
        next.set(p.key, redo ? this.#resolve(p, stats) : prev);
        if (redo) dirty.add(p.key);
      } else {
        next.set(p.key, this.#resolve(p, stats));
        dirty.add(p.key);
        setChanged = true;
      }
    }
    for (const key of this.#policies.keys()) {
      if (!next.has(key)) {
        dirty.add(key);
        setChanged = true;
      }
    }
    this.#policies = next;
    if (setChanged) this.#policyIndex = new PolicyIndex([...next.values()]);
    return { dirty, setChanged };
  }

  #verdictsFor(ep: LocalEndpoint, policyKeys: readonly string[]): Verdicts {
    const entries = policyKeys.map((k) => this.#policies.get(k)).filter((e): e is PolicyEntry => e !== undefined);
    const named = entries.some((e) => e.usesNamedPorts);
    const sig = named ? `${policyKeys.join('\n')}\u0001${JSON.stringify(ep.namedPorts)}` : policyKeys.join('\n');
    let v = this.#verdicts.get(sig);
    if (v === undefined) {
      v = {
        ingress: mergeDirection(entries.flatMap((e) => (e.ingress === undefined ? [] : [e.ingress])), ep.namedPorts),
        egress: mergeDirection(entries.flatMap((e) => (e.egress === undefined ? [] : [e.egress])), ep.namedPorts),
      };
      this.#verdicts.set(sig, v);
    }
    return v;
  }

  #syncEndpoints(endpoints: readonly LocalEndpoint[], dirty: ReadonlySet<string>, setChanged: boolean, stats: CompileStats): EndpointPolicy[] {
    const prevInput = this.#endpointInput;
    const prevEntries = this.#endpointEntries;
    const entries: EndpointEntry[] = [];
    const out: EndpointPolicy[] = [];
    let sameShape = prevInput.length === endpoints.length;
    endpoints.forEach((ep, i) => {
      const same = prevInput[i] === ep ? prevEntries[i] : undefined;
      // fast path: the same endpoint object at the same place, no policy change touching it
      if (same !== undefined && !setChanged && (dirty.size === 0 || !same.policyKeys.some((k) => dirty.has(k)))) {
        entries.push(same);
        out.push(same.result);
        return;
      }
      sameShape = false;
      const entry = this.#endpointEntry(ep, dirty, setChanged, stats);
      entries.push(entry);
      out.push(entry.result);
    });
    this.#endpointInput = endpoints;
    this.#endpointEntries = entries;
    if (!sameShape || setChanged) this.#endpoints = new Map(entries.map((e) => [`${e.ep.namespace}/${e.ep.pod}`, e]));
    if (this.#verdicts.size > 2 * entries.length + 64) this.#verdicts.clear();
    return out;
  }

  /** The entry of one endpoint: the previous one while it still holds, else recomputed. */
  #endpointEntry(ep: LocalEndpoint, dirty: ReadonlySet<string>, setChanged: boolean, stats: CompileStats): EndpointEntry {
    const prev = this.#endpoints.get(`${ep.namespace}/${ep.pod}`);
    if (prev !== undefined && (prev.ep === ep || prev.sig === endpointSig(ep))) {
      prev.ep = ep;
      const keys = setChanged ? this.#policyIndex.selecting(ep.namespace, ep.labels) : prev.policyKeys;
      if (sameList(keys, prev.policyKeys) && !keys.some((k) => dirty.has(k))) return prev;
    }
    stats.endpointsRecomputed++;
    const policyKeys = this.#policyIndex.selecting(ep.namespace, ep.labels);
    const v = this.#verdictsFor(ep, policyKeys);
    const result: EndpointPolicy = { namespace: ep.namespace, pod: ep.pod, ip: ep.ip, identity: ep.identity, ingress: v.ingress, egress: v.egress };
    return { ep, sig: prev?.ep === ep ? prev.sig : endpointSig(ep), policyKeys, result };
  }
}

/** One-shot compile (no caches kept). */
export function compilePolicies(input: PolicyCompileInput): EndpointPolicy[] {
  return new PolicyCompiler().compile(input);
}
