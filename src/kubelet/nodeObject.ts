/**
 * The agent's Kubernetes Node and Lease objects (pure): what it registers,
 * the status it reports and when its lease must be renewed.
 */
import type { V1Lease, V1Node, V1NodeCondition, V1NodeStatus } from '@kubernetes/client-node';

/** The kubelet's defaults: the lease lasts 40 s and is renewed every 10 s. */
export const LEASE_DURATION_SECONDS = 40;
export const LEASE_RENEW_MS = 10_000;
/** Node status is re-sent this often even when nothing changed (the lease carries the heartbeat in between). */
export const NODE_STATUS_REPORT_MS = 60_000;
export const KUBELET_PORT = 10250;
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeFacts {
  readonly name: string;
  readonly ip: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly maxPods: number;
  readonly bootId: string;
  readonly machineId: string;
  readonly kernelVersion: string;
  readonly osImage: string;
  readonly kubeletVersion: string;
}

export function nodeObject(f: NodeFacts): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      labels: { 'kubernetes.io/hostname': f.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64' },
    },
    spec: {},
  };
}

function readyCondition(ready: boolean, now: Date, previous: readonly V1NodeCondition[]): V1NodeCondition {
  const status = ready ? 'True' : 'False';
  const prev = previous.find((c) => c.type === 'Ready');
  return {
    type: 'Ready',
    status,
    reason: ready ? 'KubeletReady' : 'KubeletNotReady',
    message: ready ? 'weft agent is posting ready status' : 'weft agent is starting (CNI not ready)',
    lastHeartbeatTime: now,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : now,
  };
}

export function nodeStatus(f: NodeFacts, ready: boolean, now: Date, previous: readonly V1NodeCondition[]): V1NodeStatus {
  const resources = { cpu: String(f.cpus), memory: `${Math.floor(f.memoryBytes / 1024)}Ki`, pods: String(f.maxPods), 'ephemeral-storage': '10Gi' };
  const pressure = (type: string, reason: string): V1NodeCondition => {
    const prev = previous.find((c) => c.type === type);
    return { type, status: 'False', reason, message: `no ${type}`, lastHeartbeatTime: now, lastTransitionTime: prev?.status === 'False' && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : now };
  };
  return {
    addresses: [
      { type: 'InternalIP', address: f.ip },
      { type: 'Hostname', address: f.name },
    ],
    capacity: resources,
    allocatable: resources,
    conditions: [
      pressure('MemoryPressure', 'KubeletHasSufficientMemory'),
      pressure('DiskPressure', 'KubeletHasNoDiskPressure'),
      pressure('PIDPressure', 'KubeletHasSufficientPID'),
      readyCondition(ready, now, previous),
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      architecture: 'amd64',
      bootID: f.bootId,
      machineID: f.machineId,
      systemUUID: f.machineId,
      containerRuntimeVersion: 'weft://0.1.0',
      kernelVersion: f.kernelVersion,
      kubeProxyVersion: f.kubeletVersion,
      kubeletVersion: f.kubeletVersion,
      operatingSystem: 'linux',
      osImage: f.osImage,
    },
  };
}

/**
 * A Date that serializes as a Kubernetes MicroTime (six fractional digits):
 * the API server refuses a Lease's renewTime with milliseconds, and
 * client-node sends a plain Date as toJSON() gives it.
 */
export function microTime(d: Date): Date {
  const t = new Date(d.getTime());
  t.toJSON = () => `${d.toISOString().slice(0, -1)}000Z`;
  return t;
}

/** The node's lease, renewed now (a new one when `current` is undefined). */
export function renewedLease(node: string, nodeUid: string | undefined, current: V1Lease | undefined, now: Date): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(current?.metadata ?? {}),
      name: node,
      namespace: NODE_LEASE_NAMESPACE,
      // Owned by the Node, so the lease goes with it (as the kubelet does).
      ...(nodeUid === undefined ? {} : { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid }] }),
    },
    spec: { holderIdentity: node, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
}

/** True when a lease renewed at `renewTime` is due again at `now` (renewed every LEASE_RENEW_MS). */
export function leaseDue(renewTime: Date | undefined, now: Date): boolean {
  return renewTime === undefined || now.getTime() - renewTime.getTime() >= LEASE_RENEW_MS;
}
