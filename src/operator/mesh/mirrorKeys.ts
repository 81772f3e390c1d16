/**
 * Which keys of a remote cluster's etcd the reflector mirrors, and how their
 * values are checked (pure). Mirrored: weft/state/<kind>/<version>/<remote>/…
 * (only the remote's own cluster segment) and weft/cluster-config/<remote>.
 */
import { WeftError, ErrorCode, errorMessage } from '../../errors.ts';
import { jsonParser } from '../../kvstore/json.ts';
import { keys, parseCacheKey, parseKeyOf, parseStateKey } from '../../kvstore/keys.ts';
import { ClusterConfig, EndpointState, NodeState } from '../../model/state.ts';
import { STATUS_KINDS, type StatusKind } from '../../model/remoteStatus.ts';

export const STATE_PREFIX = keys.statePrefix();

/** The kind of a mirrored key: a state kind (nodes, endpoints, …, or any other) or the cluster config. */
export type MirrorKind = { readonly type: 'state'; readonly kind: string } | { readonly type: 'cluster-config' };

/** The mirror kind of a remote key, or undefined when the key is not mirrored from `remote`. */
export function mirrorKindOf(remote: string, key: string): MirrorKind | undefined {
  if (parseKeyOf('cluster-config', key)?.cluster === remote) return { type: 'cluster-config' };
  // weft/state/<kind>/<version>/<cluster>/<name…>, also of kinds this Weft does not know
  const state = parseStateKey(key);
  return state?.cluster === remote ? { type: 'state', kind: state.type } : undefined;
}

const parseNode = jsonParser(NodeState);
const parseEndpoint = jsonParser(EndpointState);
const parseConfig = jsonParser(ClusterConfig);

function invalid(key: string, why: string): WeftError {
  return new WeftError(ErrorCode.KvInvalidValue, `value of key ${key} is invalid: ${why}`);
}

/**
 * Check a remote value before it is mirrored; throws WeftError(KvInvalidValue)
 * naming the key. Known kinds are validated with their schema (and must name
 * the remote as their cluster); other state kinds must be JSON objects.
 */
export function checkMirrorValue(remote: string, kind: MirrorKind, key: string, value: string): void {
  if (kind.type === 'cluster-config') {
    const cfg = parseConfig(key, value);
    if (cfg.name !== remote) throw invalid(key, `cluster config names "${cfg.name}", expected "${remote}"`);
    return;
  }
  switch (kind.kind) {
    case 'nodes': {
      const n = parseNode(key, value);
      if (n.cluster !== remote) throw invalid(key, `node names cluster "${n.cluster}", expected "${remote}"`);
      return;
    }
    case 'endpoints':
      parseEndpoint(key, value);
      return;
    default: {
      let raw: unknown;
      try {
        raw = JSON.parse(value);
      } catch (err) {
        throw new WeftError(ErrorCode.KvInvalidValue, `value of key ${key} is not JSON: ${errorMessage(err)}`);
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(key, 'not a JSON object');
    }
  }
}

/** The status kind of a local cache key of `remote` (weft/cache/<remote>/state/<kind>/…), for counts. */
export function statusKindOfCacheKey(remote: string, cacheKey: string): StatusKind | undefined {
  const cached = parseCacheKey(cacheKey);
  const kind = cached?.remote === remote ? parseStateKey(cached.key)?.type : undefined;
  return STATUS_KINDS.find((k) => k === kind);
}
