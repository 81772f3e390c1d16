/**
 * `weft identity list`: every security identity of the mesh, like
 * `cilium identity list`: the reserved ones, this cluster's
 * (weft/state/identities/…) and each connected cluster's mirrored ones
 * (weft/cache/<remote>/state/identities/…), labels one per line.
 */
import type { Command } from 'commander';
import { identityInfoOf, sortIdentities } from '../identity/identityInfo.ts';
import { labelStrings } from '../identity/labels.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { connectedRemotes, meshSources } from '../model/meshView.ts';
import { IdentityState } from '../model/state.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { RESERVED_IDENTITY } from '../policy/types.ts';
import type { IdentityInfo, ReservedIdentityName } from '../policy/types.ts';
import { outputOption } from './config.ts';
import { withKv } from './kv.ts';
import { printColumns, printJson } from './output.ts';

const RESERVED_LABEL: Record<ReservedIdentityName, string> = {
  host: 'reserved:host',
  world: 'reserved:world',
  unmanaged: 'reserved:unmanaged',
  health: 'reserved:health',
  init: 'reserved:init',
  remoteNode: 'reserved:remote-node',
};

/** The reserved identities (cluster ''), each with its one `reserved:<name>` label. */
export function reservedIdentities(): IdentityInfo[] {
  return (Object.keys(RESERVED_IDENTITY) as ReservedIdentityName[]).map((name) => ({ id: RESERVED_IDENTITY[name], cluster: '', labels: { [RESERVED_LABEL[name]]: '' } }));
}

/** Valid identities under `prefix`; an invalid value is reported through `warn` and skipped. */
export async function readIdentities(kv: KvBackend, prefix: string, warn: (msg: string) => void): Promise<IdentityInfo[]> {
  const { entries } = await kv.list(prefix);
  const out: IdentityInfo[] = [];
  for (const e of entries) {
    const state = tryParseJson(IdentityState, e.value);
    const info = state === undefined ? undefined : identityInfoOf(e.key, state);
    if (info !== undefined) out.push(info);
    else warn(`skipping invalid identity at ${e.key}`);
  }
  return out;
}

/** The identities of this cluster and of every connected remote (from the mesh cache), sorted by id; reserved ones not included. */
export async function loadIdentities(kv: KvBackend, cluster: string, warn: (msg: string) => void): Promise<IdentityInfo[]> {
  const sources = meshSources(cluster, await connectedRemotes(kv, cluster), (c) => keys.identitiesPrefix(c));
  const lists = await Promise.all(sources.map((s) => readIdentities(kv, s.prefix, warn)));
  return sortIdentities(lists.flat());
}

/** The label texts of an identity as Cilium prints them: `reserved:host`, `k8s:app=x`. */
export function identityLabelTexts(i: IdentityInfo): string[] {
  if (i.cluster === '') return Object.keys(i.labels);
  return labelStrings(i.labels, 'k8s:');
}

/** Rows of the table: ID and CLUSTER on an identity's first row, one label per row. */
export function identityListRows(identities: readonly IdentityInfo[]): string[][] {
  const rows: string[][] = [];
  for (const i of identities) {
    const labels = identityLabelTexts(i);
    if (labels.length === 0) labels.push('');
    labels.forEach((l, n) => rows.push(n === 0 ? [String(i.id), i.cluster, l] : ['', '', l]));
  }
  return rows;
}

export function registerIdentity(program: Command): void {
  const identity = program.command('identity').description('security identities (like `cilium identity list`)');
  identity
    .command('list')
    .description('list every identity of the mesh: reserved, this cluster, connected clusters')
    .addOption(outputOption())
    .action(async (opts: { output: string }, cmd: Command) => {
      await withKv(cmd, async (kv, ctx) => {
        const all = [...reservedIdentities(), ...(await loadIdentities(kv, ctx.cluster, (msg) => process.stderr.write(`warning: ${msg}\n`)))];
        if (opts.output === 'json') printJson(all);
        else printColumns(['ID', 'CLUSTER', 'LABELS'], identityListRows(all));
      });
    });
}
