/**
 * Every kind Weft accepts, looked up by apiVersion+kind (manifests), by plural
 * (etcd keys) or by any command-line name (pod, pods, po, deploy, …), and the
 * etcd key of an object.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import { keys } from '../kvstore/keys.ts';
import type { KindDef } from './kindDef.ts';
import type { Resource } from './resources.ts';
import { namespaceKind } from './kinds/namespace.ts';
import { podKind } from './kinds/pod.ts';
import { deploymentKind } from './kinds/deployment.ts';
import { daemonSetKind } from './kinds/daemonSet.ts';
import { statefulSetKind } from './kinds/statefulSet.ts';
import { serviceKind } from './kinds/service.ts';
import { configMapKind } from './kinds/configMap.ts';
import { ciliumNetworkPolicyKind } from './kinds/ciliumNetworkPolicy.ts';
import { networkPolicyKind } from './kinds/networkPolicy.ts';
import { DEFAULT_NAMESPACE } from './meta.ts';
import type { ObjectMeta } from './meta.ts';

export type AnyKindDef = KindDef<Resource>;

export const KINDS: readonly AnyKindDef[] = [namespaceKind, podKind, deploymentKind, daemonSetKind, statefulSetKind, serviceKind, configMapKind, ciliumNetworkPolicyKind, networkPolicyKind];

/** "v1 Namespace, v1 Pod, apps/v1 Deployment, …" for error messages. */
export function supportedKinds(): string {
  return KINDS.map((k) => `${k.apiVersion} ${k.kind}`).join(', ');
}

export function findKind(apiVersion: string, kind: string): AnyKindDef | undefined {
  return KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
}

export function kindOf(r: Resource): AnyKindDef {
  const def = findKind(r.apiVersion, r.kind);
  if (def === undefined) throw new WeftError(ErrorCode.UnknownKind, `unknown kind "${r.kind}" (apiVersion ${r.apiVersion}); supported: ${supportedKinds()}`);
  return def;
}

export function kindByPlural(plural: string): AnyKindDef {
  const def = KINDS.find((k) => k.plural === plural);
  if (def === undefined) throw new WeftError(ErrorCode.UnknownKind, `unknown resource type "${plural}"; supported: ${KINDS.map((k) => k.plural).join(', ')}`);
  return def;
}

/**
 * A kind from a command-line name: singular, plural, short name, Kind, or
 * kind.group (pod, pods, po, Deployment, deployment.apps, deploy, ds, …).
 */
export function resolveKindName(name: string): AnyKindDef {
  const n = name.toLowerCase();
  const def = KINDS.find(
    (k) =>
      k.plural === n ||
      k.singular === n ||
      k.shortNames.includes(n) ||
      (k.group !== '' && (n === `${k.singular}.${k.group}` || n === `${k.plural}.${k.group}`)),
  );
  if (def === undefined) {
    const known = KINDS.map((k) => [k.plural, ...k.shortNames].join('/')).join(', ');
    throw new WeftError(ErrorCode.UnknownKind, `unknown resource type "${name}"; supported: ${known}`);
  }
  return def;
}

/** The namespace of a namespaced object ("default" when unset); undefined for cluster-scoped kinds. */
export function namespaceOf(r: Resource): string | undefined {
  const meta: ObjectMeta = r.metadata;
  return kindOf(r).namespaced ? (meta.namespace ?? DEFAULT_NAMESPACE) : undefined;
}

/** The etcd key of an object (keys.resource / keys.clusterResource). */
export function resourceKey(def: AnyKindDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? keys.resource(def.plural, namespace ?? DEFAULT_NAMESPACE, name) : keys.clusterResource(def.plural, name);
}

export function keyOfResource(r: Resource): string {
  return resourceKey(kindOf(r), namespaceOf(r), r.metadata.name);
}

/** kubectl's name of an object: pod/web-0, deployment.apps/web, namespace/team-a. */
export function displayName(r: Resource): string {
  const def = kindOf(r);
  return `${def.group === '' ? def.singular : `${def.singular}.${def.group}`}/${r.metadata.name}`;
}
