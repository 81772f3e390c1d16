/**
 * Converges the pods running on this node to the pods scheduled to it.
 * Runs only after the pod watch has fully synced, so a restarted agent never
 * stops a pod it merely has not heard of yet; pods it finds running (by their
 * records) are adopted, not restarted.
 */
import { ErrorCode, errorMessage, isWeftError } from '../errors.ts';
import type { PodRecord } from '../runtime/podRecord.ts';
import { readPodRecords } from '../runtime/podRecord.ts';
import type { PodRuntimeConfig } from '../runtime/podRuntime.ts';
import { refreshPodVolumes, restartDeadProcesses, startPod, stopPod } from '../runtime/podRuntime.ts';
import { podSpecHash } from '../runtime/podSpec.ts';
import { backoffDelay } from '../util/backoff.ts';
import type { StoredPod } from './podResource.ts';
import { toRuntimePod } from './podResource.ts';
import type { PodStatusWriter } from './podStatusWriter.ts';
import type { ObservedPodStatus, PodSource } from './podSource.ts';

/** Restart delays of a failing pod: doubling from 1 s to 30 s. */
const RETRY = { minMs: 1000, maxMs: 30_000 } as const;
/** A pod waiting for a volume (its ConfigMap) retries this often, without backing off further. */
const VOLUME_RETRY_MS = 2000;
/** How often a running pod's configMap volumes are re-read (the kubelet syncs them about every minute). */
const VOLUME_REFRESH_MS = 10_000;

export class PodSync {
  readonly #cfg: PodRuntimeConfig;
  readonly #pods: PodSource;
  readonly #status: PodStatusWriter;
  readonly #failures = new Map<string, { count: number; nextAt: number; message?: string }>();
  readonly #volumesRefreshedAt = new Map<string, number>();

  constructor(cfg: PodRuntimeConfig, pods: PodSource, status: PodStatusWriter) {
    this.#cfg = cfg;
    this.#pods = pods;
    this.#status = status;
  }

  /** Pods scheduled to this node, by "ns/name". */
  desired(): Map<string, StoredPod> {
    const out = new Map<string, StoredPod>();
    for (const p of this.#pods.values()) {
      if (p.spec.nodeName === this.#cfg.node) out.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
    }
    return out;
  }

  /** Returns the pods ("ns/name") that still have a running sandbox (empty before the source has synced). */
  async reconcile(): Promise<ReadonlySet<string>> {
    if (!this.#pods.isSynced()) return new Set();
    const desired = this.desired();
    const records = new Map<string, PodRecord>();
    for (const r of readPodRecords(this.#cfg.stateDir, (file, err) => this.#cfg.logger.warn('unreadable pod record', { file, err: errorMessage(err) }))) {
      records.set(`${r.namespace}/${r.name}`, r);
    }
    for (const [id, rec] of records) {
      const want = desired.get(id);
      if (want === undefined || podSpecHash(toRuntimePod(want)) !== rec.specHash) {
        this.#cfg.logger.info('stopping pod', { pod: id, reason: want === undefined ? 'deleted' : 'spec changed' });
        await stopPod(this.#cfg, rec);
        await this.#status.forget(rec.namespace, rec.name);
        records.delete(id);
      }
    }
    for (const [id, pod] of desired) {
      const rec = records.get(id);
      try {
        if (rec === undefined) await this.#start(id, pod);
        else await this.#keep(pod, rec);
      } catch (err) {
        this.#fail(id, pod, err);
      }
    }
    for (const id of this.#failures.keys()) {
      if (desired.has(id)) continue;
      this.#failures.delete(id);
      // A pod deleted before it ever ran (failed, or waiting for a volume) leaves no status behind.
      const [ns = '', name = ''] = id.split('/');
      await this.#status.forget(ns, name);
    }
    for (const id of this.#volumesRefreshedAt.keys()) if (!desired.has(id)) this.#volumesRefreshedAt.delete(id);
    return new Set(records.keys());
  }

  /** The observed status, to etcd (weft/status/pods) and to the pod source (the API server in Kubernetes mode). */
  async #report(pod: StoredPod, s: ObservedPodStatus): Promise<void> {
    await this.#status.status(pod.metadata.namespace, pod.metadata.name, s);
    await this.#pods.reportStatus?.(pod, s);
  }

  async #start(id: string, pod: StoredPod): Promise<void> {
    const f = this.#failures.get(id);
    if (f !== undefined && Date.now() < f.nextAt) return;
    await this.#report(pod, { phase: 'ContainerCreating', podIP: '', pids: [], netns: '', startedAt: '', restarts: 0, message: f?.message ?? '' });
    if (f?.message === undefined) this.#cfg.logger.info('starting pod', { pod: id });
    const rec = await startPod(this.#cfg, toRuntimePod(pod));
    this.#failures.delete(id);
    this.#volumesRefreshedAt.set(id, Date.now());
    await this.#keep(pod, rec);
  }

  async #keep(pod: StoredPod, rec: PodRecord): Promise<void> {
    const id = `${rec.namespace}/${rec.name}`;
    if (Date.now() - (this.#volumesRefreshedAt.get(id) ?? 0) >= VOLUME_REFRESH_MS) {
      this.#volumesRefreshedAt.set(id, Date.now());
      await refreshPodVolumes(this.#cfg, toRuntimePod(pod));
    }
    const next = restartDeadProcesses(this.#cfg, toRuntimePod(pod), rec);
    await this.#status.endpoint(pod, next.ip);
    await this.#report(pod, {
      phase: 'Running',
      podIP: next.ip,
      pids: next.processes.map((p) => p.pid),
      netns: next.netns,
      startedAt: next.startedAt,
      restarts: next.restarts,
      message: '',
    });
  }

  #fail(id: string, pod: StoredPod, err: unknown): void {
    if (isWeftError(err, ErrorCode.VolumeNotReady)) {
      this.#waitForVolume(id, pod, err.message);
      return;
    }
    const prev = this.#failures.get(id)?.count ?? 0;
    const delay = backoffDelay(prev, RETRY.minMs, RETRY.maxMs);
    this.#failures.set(id, { count: prev + 1, nextAt: Date.now() + delay });
    this.#cfg.logger.error('pod failed to start', { pod: id, err: errorMessage(err), retryInMs: delay });
    void this
      .#report(pod, { phase: 'Failed', podIP: '', pids: [], netns: '', startedAt: '', restarts: 0, message: errorMessage(err) })
      .catch(() => undefined);
  }

  /** Like Kubernetes: the pod stays ContainerCreating, saying which volume waits for what, and retries. */
  #waitForVolume(id: string, pod: StoredPod, message: string): void {
    const prev = this.#failures.get(id);
    if (prev?.message !== message) this.#cfg.logger.warn('pod waiting for a volume', { pod: id, reason: message });
    this.#failures.set(id, { count: (prev?.count ?? 0) + 1, nextAt: Date.now() + VOLUME_RETRY_MS, message });
    void this
      .#report(pod, { phase: 'ContainerCreating', podIP: '', pids: [], netns: '', startedAt: '', restarts: 0, message })
      .catch(() => undefined);
  }
}
