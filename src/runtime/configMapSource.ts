/**
 * The agent's ConfigMap source: a get of the stored object at pod start (and
 * on each volume refresh). Only data is read; an unreadable value is an error
 * naming the key (jsonParser), not a missing ConfigMap.
 */
import { z } from 'zod';
import type { KvBackend } from '../kvstore/backend.ts';
import { getJson } from '../kvstore/json.ts';
import { keys } from '../kvstore/keys.ts';
import { safeRecord } from '../model/safeRecord.ts';
import type { ConfigMapSource } from './podVolumes.ts';

/** safeRecord: a data key named __proto__ reaches the volume like any other. */
const StoredConfigMap = z.object({ data: safeRecord(z.string(), z.string()).default({}) });

export function kvConfigMapSource(kv: KvBackend): ConfigMapSource {
  return {
    get: async (namespace, name) => getJson(kv, keys.resource('configmaps', namespace, name), StoredConfigMap),
  };
}
