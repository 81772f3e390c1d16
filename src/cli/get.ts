/**
 * `weft get TYPE`: kubectl-shaped listings. Pods join their stored object with
 * the status the node's agent wrote.
 */
import type { KvBackend } from '../kvstore/backend.ts';
import { keys, parseKeyOf } from '../kvstore/keys.ts';
import { tryParseJson } from '../kvstore/json.ts';
import type { AnyKindDef } from '../model/kindRegistry.ts';
import { namespaceOf } from '../model/kindRegistry.ts';
import { listResources } from '../model/resourceStore.ts';
import type { Resource } from '../model/resources.ts';
import { PodStatus, ServiceState } from '../model/state.ts';
import { WeftError, ErrorCode } from '../errors.ts';
import { formatAge, printColumns, printJson } from './output.ts';
import { renderJsonPath } from './jsonPath.ts';

const JSONPATH = 'jsonpath=';
export type GetOutput = 'table' | 'wide' | 'json' | 'name' | `jsonpath=${string}`;

export function parseGetOutput(value: string): GetOutput {
  if (value === 'table' || value === 'wide' || value === 'json' || value === 'name' || value.startsWith(JSONPATH)) return value as GetOutput;
  throw new WeftError(ErrorCode.InvalidInput, `output format "${value}" is not one of table, wide, json, name, jsonpath=TEMPLATE`);
}

export interface GetOptions {
  readonly name: string | undefined;
  readonly namespace: string;
  readonly allNamespaces?: boolean | undefined;
  readonly selector?: string | undefined;
  readonly output: GetOutput;
  /** The cluster of the context (services: CLUSTER-IP from its exported state). */
  readonly cluster?: string | undefined;
}

export function parseSelector(selector: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (selector === undefined || selector === '') return out;
  for (const part of selector.split(',')) {
    const [k, v, ...rest] = part.split('=');
    if (k === undefined || k === '' || v === undefined || rest.length > 0) {
      throw new WeftError(ErrorCode.InvalidInput, `label selector "${selector}": "${part}" is not key=value`);
    }
    out[k.trim()] = v.trim();
  }
  return out;
}

function matches(r: Resource, sel: Record<string, string>): boolean {
  return Object.entries(sel).every(([k, v]) => r.metadata.labels[k] === v);
}

async function podStatuses(kv: KvBackend): Promise<Map<string, PodStatus>> {
  const { entries } = await kv.list(keys.podStatusPrefix());
  const out = new Map<string, PodStatus>();
  for (const e of entries) {
    const status = tryParseJson(PodStatus, e.value);
    const k = parseKeyOf('pod-status', e.key);
    if (status !== undefined && k !== undefined) out.set(`${k.ns}/${k.pod}`, status);
  }
  return out;
}

/** `<ns>/<name>` → the exported state of every service of `cluster`. */
async function serviceStates(kv: KvBackend, cluster: string | undefined): Promise<Map<string, ServiceState>> {
  const out = new Map<string, ServiceState>();
  if (cluster === undefined) return out;
  const { entries } = await kv.list(keys.servicesPrefix(cluster));
  for (const e of entries) {
    const state = tryParseJson(ServiceState, e.value); // an unreadable value shows as <pending>
    if (state !== undefined) out.set(`${state.namespace}/${state.name}`, state);
  }
  return out;
}

function ownedPods(pods: readonly Resource[], owner: Resource): Resource[] {
  return pods.filter(
    (p) => namespaceOf(p) === namespaceOf(owner) && (p.metadata.ownerReferences ?? []).some((o) => o.kind === owner.kind && o.name === owner.metadata.name),
  );
}

export async function printGet(kv: KvBackend, def: AnyKindDef, opts: GetOptions): Promise<void> {
  const ns = def.namespaced && opts.allNamespaces !== true ? opts.namespace : undefined;
  const sel = parseSelector(opts.selector);
  let items = (await listResources(kv, def.plural, ns)).filter((r) => matches(r, sel));
  if (opts.name !== undefined) {
    items = items.filter((r) => r.metadata.name === opts.name);
    if (items.length === 0) throw new WeftError(ErrorCode.NotFound, `${def.singular} "${opts.name}" not found${ns ? ` in namespace "${ns}"` : ''}`);
  }
  const statuses = def.plural === 'pods' || def.group === 'apps' ? await podStatuses(kv) : new Map<string, PodStatus>();
  const svcStates = def.plural === 'services' ? await serviceStates(kv, opts.cluster) : new Map<string, ServiceState>();
  const id = (r: Resource): string => `${namespaceOf(r) ?? ''}/${r.metadata.name}`;
  const withStatus = (r: Resource): unknown =>
    def.plural === 'pods' ? { ...r, status: statuses.get(id(r)) ?? null } : def.plural === 'services' ? { ...r, status: svcStates.get(id(r)) ?? null } : r;
  if (opts.output === 'json') {
    printJson(items.map(withStatus));
    return;
  }
  if (opts.output.startsWith(JSONPATH)) {
    // Like kubectl: one named object is the document; otherwise a List of the objects.
    const doc = opts.name !== undefined && items[0] !== undefined ? withStatus(items[0]) : { kind: 'List', items: items.map(withStatus) };
    process.stdout.write(renderJsonPath(opts.output.slice(JSONPATH.length), doc));
    return;
  }
  if (opts.output === 'name') {
    for (const r of items) process.stdout.write(`${def.singular}${def.group === '' ? '' : `.${def.group}`}/${r.metadata.name}\n`);
    return;
  }
  if (items.length === 0) {
    process.stderr.write(`No resources found${ns ? ` in ${ns} namespace` : ''}.\n`);
    return;
  }
  const showNs = def.namespaced && opts.allNamespaces === true;
  const pods = def.group === 'apps' ? await listResources(kv, 'pods') : [];
  const { header, rows } = def.plural === 'services' ? serviceTable(items, svcStates, opts.output === 'wide') : tableFor(def, items, statuses, pods, opts.output === 'wide');
  printColumns(showNs ? ['NAMESPACE', ...header] : header, items.map((r, i) => (showNs ? [namespaceOf(r) ?? '', ...(rows[i] ?? [])] : (rows[i] ?? []))));
}

function tableFor(def: AnyKindDef, items: readonly Resource[], statuses: Map<string, PodStatus>, pods: readonly Resource[], wide: boolean): { header: string[]; rows: string[][] } {
  const age = (r: Resource): string => formatAge(r.metadata.creationTimestamp ?? '');
  const running = (owned: readonly Resource[]): number => owned.filter((p) => statuses.get(`${namespaceOf(p) ?? ''}/${p.metadata.name}`)?.phase === 'Running').length;
  switch (def.kind) {
    case 'Pod': {
      const header = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['IP', 'NODE'] : [])];
      const rows = items.map((p) => {
        const s = statuses.get(`${namespaceOf(p) ?? ''}/${p.metadata.name}`);
        const node = (p as { spec?: { nodeName?: string } }).spec?.nodeName ?? '<none>';
        const phase = s?.phase ?? 'Pending';
        const containers = (p as { spec: { containers: unknown[] } }).spec.containers.length;
        return [p.metadata.name, `${phase === 'Running' ? containers : 0}/${containers}`, phase, String(s?.restarts ?? 0), age(p), ...(wide ? [s?.podIP || '<none>', node] : [])];
      });
      return { header, rows };
    }
    case 'Deployment':
    case 'StatefulSet': {
      const rows = items.map((d) => {
        const owned = ownedPods(pods, d);
        const replicas = (d as { spec: { replicas: number } }).spec.replicas;
        return [d.metadata.name, `${running(owned)}/${replicas}`, String(owned.length), String(running(owned)), age(d)];
      });
      return { header: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], rows };
    }
    case 'DaemonSet': {
      const rows = items.map((d) => {
        const owned = ownedPods(pods, d);
        return [d.metadata.name, String(owned.length), String(owned.length), String(running(owned)), age(d)];
      });
      return { header: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], rows };
    }
    case 'ConfigMap':
      return configMapTable(items);
    default:
      return { header: ['NAME', 'STATUS', 'AGE'], rows: items.map((r) => [r.metadata.name, 'Active', age(r)]) };
  }
}

/** kubectl's service columns: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE [SELECTOR]. */
export function serviceTable(items: readonly Resource[], states: ReadonlyMap<string, ServiceState>, wide: boolean, now = Date.now()): { header: string[]; rows: string[][] } {
  const header = ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', ...(wide ? ['SELECTOR'] : [])];
  const rows = items.flatMap((r) => {
    if (r.kind !== 'Service') return [];
    const state = states.get(`${r.metadata.namespace}/${r.metadata.name}`);
    const ports = r.spec.ports.map((p) => `${p.port}/${p.protocol}`).join(',');
    const selector = Object.entries(r.spec.selector).map(([k, v]) => `${k}=${v}`).join(',');
    const row = [r.metadata.name, r.spec.type, state?.clusterIP ?? '<pending>', '<none>', ports, formatAge(r.metadata.creationTimestamp ?? '', now)];
    return [wide ? [...row, selector === '' ? '<none>' : selector] : row];
  });
  return { header, rows };
}

/** kubectl's configmap columns: NAME DATA AGE. */
export function configMapTable(items: readonly Resource[], now = Date.now()): { header: string[]; rows: string[][] } {
  const rows = items.flatMap((r) => (r.kind === 'ConfigMap' ? [[r.metadata.name, String(Object.keys(r.data).length), formatAge(r.metadata.creationTimestamp ?? '', now)]] : []));
  return { header: ['NAME', 'DATA', 'AGE'], rows };
}
