/** Fixtures for the operator unit tests. */
import { parseManifests } from '../model/manifest.ts';
import type { DaemonSet, Deployment, Pod, StatefulSet } from '../model/resources.ts';
import type { NodeState } from '../model/state.ts';

export function node(name: string, podCIDR = '', ready = true): NodeState {
  return { name, cluster: 'c1', clusterId: 1, ip: '172.18.0.2', podCIDR, vtep: '172.18.0.2', bootId: 'b', ready };
}

function workloadYaml(kind: string, name: string, replicas: number | undefined, image: string): string {
  return `apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}}
spec:
${replicas === undefined ? '' : `  replicas: ${replicas}\n`}  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: ${image}, ports: [{containerPort: 8080}]}]
`;
}

export function deployment(name: string, replicas: number, image = 'echo'): Deployment {
  const [d] = parseManifests(workloadYaml('Deployment', name, replicas, image));
  if (d?.kind !== 'Deployment') throw new Error('fixture');
  return d;
}

export function statefulSet(name: string, replicas: number, image = 'echo'): StatefulSet {
  const [s] = parseManifests(workloadYaml('StatefulSet', name, replicas, image));
  if (s?.kind !== 'StatefulSet') throw new Error('fixture');
  return s;
}

export function daemonSet(name: string, image = 'echo'): DaemonSet {
  const [d] = parseManifests(workloadYaml('DaemonSet', name, undefined, image));
  if (d?.kind !== 'DaemonSet') throw new Error('fixture');
  return d;
}

export function barePod(name: string, nodeName?: string, creationTimestamp = '2025-01-01T00:00:00.000Z'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: {}, annotations: {}, creationTimestamp },
    spec: nodeName === undefined ? { containers: [{ name: 'c', image: 'x' }] } : { containers: [{ name: 'c', image: 'x' }], nodeName },
  };
}

/** aaaaa, aaaab, … : deterministic pod name suffixes. */
export function sequentialSuffixes(): () => string {
  let n = 0;
  return () => (n++).toString(36).padStart(5, 'a');
}
