/**
 * The record `weft clustermesh connect` writes at weft/mesh/remotes/<remote>
 * (keys.meshRemote): where this cluster's operator reaches a remote cluster
 * (its mesh proxy, read-only) and the CA that remote's certificates chain to.
 * It holds no private key: the operator presents its own remote identity
 * (`remote-<self>`, `weft operator --mesh-cert/--mesh-key`), and this
 * cluster's mesh proxy lets exactly the recorded remotes in. Validated on read.
 */
import { z } from 'zod';
import { WeftError, ErrorCode } from '../errors.ts';
import { jsonParser } from '../kvstore/json.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';

export const RemoteConfig = z.object({
  name: z.string().min(1).max(32).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'cluster name must be [a-z0-9-], starting and ending with a letter or digit'),
  clusterId: z.number().int().min(1).max(255),
  endpoints: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'endpoint must be http://host:port or https://host:port')).min(1),
  /** The remote's mesh CA (PEM): verifies its mesh proxy, and its operator's certificate at ours. Empty only with plain http endpoints. */
  caPem: z.string(),
});
export type RemoteConfig = z.infer<typeof RemoteConfig>;

/** True when the remote is reached over TLS (every endpoint https). */
export function usesTls(cfg: RemoteConfig): boolean {
  return cfg.endpoints.every((e) => e.startsWith('https://'));
}

const parseJson = jsonParser(RemoteConfig);

/**
 * Parse the value of keys.meshRemote(name): valid JSON of the schema, its
 * name equal to the key's remote, endpoints all http or all https,
 * and PEMs present when https.
 */
export function parseRemoteConfig(key: string, value: string): RemoteConfig {
  const name = parseKeyOf('mesh-remote', key)?.remote;
  if (name === undefined) throw new WeftError(ErrorCode.KvInvalidValue, `key ${key} is not a remote cluster record (${keys.meshRemote('<remote>')})`);
  const cfg = parseJson(key, value);
  if (cfg.name !== name) throw new WeftError(ErrorCode.KvInvalidValue, `value of key ${key} is invalid: name "${cfg.name}" differs from the key's remote "${name}"`);
  const https = cfg.endpoints.filter((e) => e.startsWith('https://')).length;
  if (https !== 0 && https !== cfg.endpoints.length) {
    throw new WeftError(ErrorCode.KvInvalidValue, `value of key ${key} is invalid: endpoints ${cfg.endpoints.join(',')} mix http and https`);
  }
  if (https > 0) {
    if (!cfg.caPem.includes('-----BEGIN')) throw new WeftError(ErrorCode.KvInvalidValue, `value of key ${key} is invalid: https endpoints need the remote's CA but caPem holds no PEM data`);
  }
  return cfg;
}

/** Two configs reach the remote the same way (no reconnect needed). */
export function sameRemoteConfig(a: RemoteConfig, b: RemoteConfig): boolean {
  return (
    a.name === b.name &&
    a.clusterId === b.clusterId &&
    a.endpoints.join(',') === b.endpoints.join(',') &&
    a.caPem === b.caPem
  );
}
