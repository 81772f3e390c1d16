/**
 * v1 ConfigMap: text data (a map of keys to strings) that pods mount as a
 * configMap volume. binaryData is not supported; `immutable: true` forbids
 * later changes to data, as in Kubernetes. At most 1 MiB of data.
 */
import { z } from 'zod';
import { WeftError, ErrorCode } from '../../errors.ts';
import { keys } from '../../kvstore/keys.ts';
import { tryParseJson } from '../../kvstore/json.ts';
import { namespacedMeta } from '../meta.ts';
import { dns1123Subdomain } from '../names.ts';
import { safeRecord } from '../safeRecord.ts';
import { configMapKey } from '../volumes.ts';
import type { ApplyCheckContext, KindDef } from '../kindDef.ts';

/** Kubernetes' limit on a ConfigMap's data (keys + values). */
export const MAX_CONFIG_MAP_BYTES = 1024 * 1024;

export function configMapBytes(data: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(data)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

export const ConfigMapSchema = z
  .strictObject({
    apiVersion: z.literal('v1'),
    kind: z.literal('ConfigMap'),
    metadata: namespacedMeta(dns1123Subdomain),
    data: safeRecord(configMapKey, z.string())
      .default({})
      .refine((d) => configMapBytes(d) <= MAX_CONFIG_MAP_BYTES, { message: `a ConfigMap holds at most ${MAX_CONFIG_MAP_BYTES} bytes of data` }),
    binaryData: z
      .unknown()
      .optional()
      .refine((v) => v === undefined, { message: 'binaryData is not supported by Weft: put text values in data' }),
    immutable: z.boolean().optional(),
  })
  .transform(({ apiVersion, kind, metadata, data, immutable }) => ({ apiVersion, kind, metadata, data, ...(immutable === undefined ? {} : { immutable }) }));
export type ConfigMap = z.infer<typeof ConfigMapSchema>;

/** An immutable ConfigMap keeps its data and stays immutable (Kubernetes: delete and re-create it). */
async function checkConfigMapApply(applied: ConfigMap, ctx: ApplyCheckContext): Promise<void> {
  const { namespace, name } = applied.metadata;
  const raw = await ctx.get(keys.resource('configmaps', namespace, name));
  if (raw === undefined) return;
  const stored = tryParseJson(ConfigMapSchema, raw);
  if (stored?.immutable !== true) return;
  const same = JSON.stringify(Object.entries(stored.data).sort()) === JSON.stringify(Object.entries(applied.data).sort());
  if (!same || applied.immutable !== true) {
    throw new WeftError(ErrorCode.InvalidManifest, `configmap "${name}" in namespace "${namespace}" is immutable: its data and immutable field cannot change (delete and re-create it); nothing was applied`);
  }
}

export const configMapKind: KindDef<ConfigMap> = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  group: '',
  plural: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  namespaced: true,
  schema: ConfigMapSchema,
  checkApply: checkConfigMapApply,
};
