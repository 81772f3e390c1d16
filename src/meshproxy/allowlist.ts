/**
 * The connected remotes as the mesh proxy sees them: a watch on
 * weft/mesh/remotes/ (the records `clustermesh connect` writes), reduced to
 * cluster name → that cluster's mesh CA. An invalid record admits nobody.
 */
import { errorMessage } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { WatchStore } from '../kvstore/watchStore.ts';
import { parseRemoteConfig } from '../model/remoteConfig.ts';
import type { Logger } from '../util/log.ts';
import type { ConnectedRemotes } from './authorize.ts';

export interface Allowlist {
  readonly synced: Promise<void>;
  current(): ConnectedRemotes;
  close(): void;
}

export function watchAllowlist(kv: KvBackend, logger: Logger, onChange: (c: ConnectedRemotes) => void): Allowlist {
  const parse = (key: string, value: string): string | undefined => {
    try {
      return parseRemoteConfig(key, value).caPem;
    } catch (err) {
      logger.warn('invalid remote cluster record: that cluster is not admitted', { key, error: errorMessage(err) });
      return undefined;
    }
  };
  let synced = false;
  const current = (): ConnectedRemotes => {
    const out = new Map<string, string>();
    for (const [key, ca] of store.entries()) {
      const record = parseKeyOf('mesh-remote', key);
      if (ca !== undefined && record !== undefined) out.set(record.remote, ca);
    }
    return out;
  };
  const changed = (): void => {
    if (synced) onChange(current());
  };
  const store = new WatchStore<string | undefined>({
    kv,
    prefix: keys.meshRemotesPrefix(),
    parse,
    logger,
    onUpsert: changed,
    onDelete: changed,
    onSynced: () => {
      synced = true;
      onChange(current());
    },
  });
  store.start();
  return { synced: store.synced, current, close: () => store.close() };
}
