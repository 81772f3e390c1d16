/**
 * Kubernetes objects → the weft/resources/ entries `weft apply` would write
 * for them (pure), validated by the same model code (validateObject, the
 * kinds' schemas): Namespaces, NetworkPolicies and CiliumNetworkPolicies,
 * so agents' identities and policy compile read them unchanged. An object
 * Weft refuses (a NetworkPolicy with ipBlock, …) is left out and reported
 * with the field's path. planMirror turns the desired entries and what the
 * store holds into puts and deletes: the mirrored prefixes hold exactly the
 * API's objects after every pass.
 */
import { keys } from '../../kvstore/keys.ts';
import { canonicalJson } from '../../model/canonicalJson.ts';
import { ciliumNetworkPolicyKind } from '../../model/kinds/ciliumNetworkPolicy.ts';
import { namespaceKind } from '../../model/kinds/namespace.ts';
import { networkPolicyKind } from '../../model/kinds/networkPolicy.ts';
import { keyOfResource } from '../../model/kindRegistry.ts';
import type { KindDef } from '../../model/kindDef.ts';
import { validateObject } from '../../model/manifest.ts';
import type { Resource } from '../../model/resources.ts';

/** The kinds mirrored from the API; the operator owns their weft/resources/ prefixes in Kubernetes mode. */
export const MIRRORED_KINDS: readonly KindDef<Resource>[] = [namespaceKind, networkPolicyKind, ciliumNetworkPolicyKind] as readonly KindDef<Resource>[];

export const mirroredPrefixes = (): string[] => MIRRORED_KINDS.map((k) => keys.resourcesPrefix(k.plural));

export interface MirrorResult {
  /** weft/resources/… key → the stored object */
  readonly desired: Map<string, Resource>;
  readonly problems: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The objects of one kind as listed from the API (list items carry no apiVersion/kind: the kind's are set). */
export function mirrorKind(def: KindDef<Resource>, items: readonly unknown[], out: MirrorResult): void {
  for (const item of items) {
    if (!isRecord(item)) continue;
    const r = validateObject({ ...item, apiVersion: def.apiVersion, kind: def.kind }, 1);
    if ('resource' in r) out.desired.set(keyOfResource(r.resource), r.resource);
    else out.problems.push(...r.problems.map((p) => `${p.message.replace(/^document 1 /, '')}; not mirrored (Weft does not enforce it)`));
  }
}

/** Every mirrored kind: `objects` gives the API's items per plural (namespaces, networkpolicies, ciliumnetworkpolicies). */
export function mirrorResources(objects: ReadonlyMap<string, readonly unknown[]>): MirrorResult {
  const out: MirrorResult = { desired: new Map(), problems: [] };
  for (const def of MIRRORED_KINDS) mirrorKind(def, objects.get(def.plural) ?? [], out);
  return out;
}

export type MirrorAction = { readonly type: 'put'; readonly key: string; readonly value: string; readonly created: boolean } | { readonly type: 'delete'; readonly key: string };

/**
 * Puts for what is missing or different (compared as canonical JSON), deletes
 * for what the store holds under a mirrored prefix and the API does not.
 */
export function planMirror(desired: ReadonlyMap<string, unknown>, stored: ReadonlyMap<string, string>): MirrorAction[] {
  const actions: MirrorAction[] = [];
  for (const [key, value] of desired) {
    const now = stored.get(key);
    const text = canonicalJson(value);
    let same = false;
    if (now !== undefined) {
      try {
        same = canonicalJson(JSON.parse(now)) === text;
      } catch {
        same = false; // a bad stored value is replaced
      }
    }
    if (!same) actions.push({ type: 'put', key, value: JSON.stringify(value), created: now === undefined });
  }
  for (const key of stored.keys()) if (!desired.has(key)) actions.push({ type: 'delete', key });
  return actions;
}
