/**
 * The agent's Node in the API: registered on start (an existing Node object is
 * kept and its status refreshed), its Lease renewed every 10 s, its status
 * re-sent every minute and on readiness changes, and its spec.podCIDR (from
 * the controller manager) awaited.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { V1NodeCondition } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../util/log.ts';
import { apiStatusCode, type KubeletApi } from './kubeApi.ts';
import { LEASE_RENEW_MS, NODE_LEASE_NAMESPACE, NODE_STATUS_REPORT_MS, nodeObject, nodeStatus, renewedLease, type NodeFacts } from './nodeObject.ts';

export const KUBELET_VERSION = 'v1.20.2-weft';

function readTrimmed(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

export function hostNodeFacts(name: string, ip: string): NodeFacts {
  return {
    name,
    ip,
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    maxPods: 110,
    bootId: readTrimmed('/proc/sys/kernel/random/boot_id', 'unknown'),
    machineId: readTrimmed('/etc/machine-id', name),
    kernelVersion: os.release(),
    osImage: /PRETTY_NAME="([^"]*)"/.exec(readTrimmed('/etc/os-release', ''))?.[1] ?? 'Linux',
    kubeletVersion: KUBELET_VERSION,
  };
}

export class KubeNode {
  readonly #api: KubeletApi;
  readonly #facts: NodeFacts;
  readonly #logger: Logger;
  readonly #now: () => Date;
  #ready = false;
  #uid: string | undefined;
  #conditions: readonly V1NodeCondition[] = [];
  #statusSentAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(api: KubeletApi, facts: NodeFacts, logger: Logger, now: () => Date = () => new Date()) {
    this.#api = api;
    this.#facts = facts;
    this.#logger = logger;
    this.#now = now;
  }

  /** Create the Node (or keep the one there), then report its status (not ready yet) and take the lease. */
  async register(): Promise<void> {
    let node = await this.#api.getNode(this.#facts.name);
    if (node === undefined) {
      try {
        node = await this.#api.createNode(nodeObject(this.#facts));
      } catch (err) {
        if (apiStatusCode(err) !== 409) throw err;
        node = await this.#api.getNode(this.#facts.name);
      }
    }
    this.#uid = node?.metadata?.uid;
    this.#conditions = node?.status?.conditions ?? [];
    await this.#sendStatus();
    await this.renewLease();
  }

  async #sendStatus(): Promise<void> {
    const status = nodeStatus(this.#facts, this.#ready, this.#now(), this.#conditions);
    await this.#api.patchNodeStatus(this.#facts.name, status);
    this.#conditions = status.conditions ?? [];
    this.#statusSentAt = this.#now().getTime();
  }

  async renewLease(): Promise<void> {
    const current = await this.#api.getLease(NODE_LEASE_NAMESPACE, this.#facts.name);
    const lease = renewedLease(this.#facts.name, this.#uid, current, this.#now());
    if (current === undefined) await this.#api.createLease(lease);
    else await this.#api.replaceLease(lease);
  }

  async setReady(ready: boolean): Promise<void> {
    this.#ready = ready;
    await this.#sendStatus();
  }

  /** One heartbeat: the lease, and the status when a minute has passed. */
  async heartbeat(): Promise<void> {
    await this.renewLease();
    if (this.#now().getTime() - this.#statusSentAt >= NODE_STATUS_REPORT_MS) await this.#sendStatus();
  }

  startHeartbeats(): void {
    this.#timer = setInterval(() => {
      this.heartbeat().catch((err: unknown) => this.#logger.warn('node heartbeat failed', { node: this.#facts.name, err: errorMessage(err) }));
    }, LEASE_RENEW_MS);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  /** The PodCIDR the controller manager assigns to the Node (spec.podCIDR), polled until set. */
  async waitForPodCidr(pollMs = 500): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        const cidr = (await this.#api.getNode(this.#facts.name))?.spec?.podCIDR ?? '';
        if (cidr !== '') return cidr;
        if (attempt % 20 === 0) this.#logger.info('waiting for the controller manager to assign spec.podCIDR', { node: this.#facts.name });
      } catch (err) {
        if (attempt % 20 === 0) this.#logger.warn('cannot read the Node yet', { node: this.#facts.name, err: errorMessage(err) });
      }
      await sleep(pollMs);
    }
  }
}
