/**
 * The Pod status the agent reports to the API server, computed from what the
 * runtime observed of the pod (the same PodStatus it writes to
 * weft/status/pods). Pure: the caller patches pods/<name>/status with it.
 * Every container of a running pod is running and ready (no probes here);
 * restarts are the pod's (the runtime restarts its processes together).
 */
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';
import type { PodStatus } from '../model/state.ts';

export type RuntimePodStatus = Omit<PodStatus, 'node' | 'hostIP' | 'pids' | 'netns'>;

function condition(type: string, ok: boolean, at: Date, previous: readonly V1PodCondition[], reason?: string): V1PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous.find((c) => c.type === type);
  // The transition time stays while the status does, as the kubelet keeps it.
  const lastTransitionTime = prev?.status === status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : at;
  return { type, status, lastTransitionTime, ...(ok || reason === undefined ? {} : { reason }) };
}

export function kubePodStatus(pod: V1Pod, s: RuntimePodStatus, hostIP: string, now: Date): V1PodStatus {
  const running = s.phase === 'Running';
  const previous = pod.status?.conditions ?? [];
  const startTime = pod.status?.startTime ?? (s.startedAt === '' ? now : new Date(s.startedAt));
  const waitingReason = s.phase === 'Failed' ? 'CreateContainerError' : 'ContainerCreating';
  const containerStatuses: V1ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    ready: running,
    started: running,
    restartCount: s.restarts,
    ...(running ? { containerID: `weft://${pod.metadata?.uid ?? ''}/${c.name}` } : {}),
    state: running
      ? { running: { startedAt: s.startedAt === '' ? now : new Date(s.startedAt) } }
      : { waiting: { reason: waitingReason, ...(s.message === '' ? {} : { message: s.message }) } },
  }));
  const notReady = running ? undefined : 'ContainersNotReady';
  return {
    phase: running ? 'Running' : 'Pending',
    hostIP,
    ...(s.podIP === '' ? {} : { podIP: s.podIP, podIPs: [{ ip: s.podIP }] }),
    startTime,
    qosClass: pod.status?.qosClass ?? 'BestEffort',
    conditions: [
      condition('Initialized', true, now, previous),
      condition('Ready', running, now, previous, notReady),
      condition('ContainersReady', running, now, previous, notReady),
      condition('PodScheduled', true, now, previous),
    ],
    containerStatuses,
  };
}

/** What decides whether a new status must be sent: everything but the times of unchanged conditions. */
export function statusSignature(st: V1PodStatus): string {
  return JSON.stringify({
    phase: st.phase,
    podIP: st.podIP,
    hostIP: st.hostIP,
    conditions: (st.conditions ?? []).map((c) => [c.type, c.status]),
    containers: (st.containerStatuses ?? []).map((c) => [c.name, c.ready, c.restartCount, c.state?.running !== undefined, c.state?.waiting?.reason, c.state?.waiting?.message]),
  });
}
