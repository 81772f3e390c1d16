/**
 * The operator's Kubernetes source (Kubernetes mode): informers on the API
 * server feed the same exports the standalone controllers write.
 */
import type { KvBackend } from '../../kvstore/backend.ts';
import type { Logger } from '../../util/log.ts';
import type { Controllers } from '../standalone.ts';
import type { KubeSourceOptions } from './options.ts';

export interface KubeSourceStartOptions {
  readonly kv: KvBackend;
  readonly cluster: string;
  readonly logger: Logger;
  readonly kube: KubeSourceOptions;
  readonly debounceMs?: number;
  readonly resyncMs?: number;
}

export function startKubeSource(opts: KubeSourceStartOptions): Controllers {
  opts.logger.warn('kubernetes source: not implemented yet; nothing is exported', { kubeconfig: opts.kube.kubeconfig });
  return { synced: Promise.resolve(), idle: () => Promise.resolve(), stop: () => Promise.resolve() };
}
