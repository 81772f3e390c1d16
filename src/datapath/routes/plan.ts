/**
 * The difference between the desired datapath and the kernel (pure): the
 * `ip -batch` and `bridge -batch` lines that add what is missing, replace what
 * changed and delete what is stale. Never a flush; nothing right is touched.
 */
import { normalizeDst } from './kernelState.ts';
import { deviceAfter, planVxlanDevice } from './vxlanDevice.ts';
import { VXLAN_DEV, WEFT_ROUTE_PROTO } from './types.ts';
import type { DesiredDatapath, DeviceAction, KernelFdbEntry, KernelNeighbour, KernelRoute, KernelState, Route } from './types.ts';

export interface SyncPlan {
  device: DeviceAction;
  ipLines: string[];
  bridgeLines: string[];
  changes: { add: number; replace: number; delete: number };
}

interface Diff {
  dels: string[];
  sets: string[];
  add: number;
  replace: number;
}

function routeLine(r: Route): string {
  return `route replace ${r.dst} via ${r.via} dev ${r.dev} proto ${WEFT_ROUTE_PROTO}${r.onlink ? ' onlink' : ''}`;
}

function diffRoutes(want: readonly Route[], have: readonly KernelRoute[]): Diff {
  const d: Diff = { dels: [], sets: [], add: 0, replace: 0 };
  const wanted = new Map(want.map((r) => [normalizeDst(r.dst), r]));
  for (const k of have) {
    if (k.metric === 0 && wanted.has(k.dst)) continue;
    d.dels.push(`route del ${k.dst} proto ${WEFT_ROUTE_PROTO}${k.metric === 0 ? '' : ` metric ${k.metric}`}`);
  }
  for (const [dst, r] of wanted) {
    const k = have.find((h) => h.dst === dst && h.metric === 0);
    if (k !== undefined && k.via === r.via && k.dev === r.dev && k.onlink === r.onlink) continue;
    d.sets.push(routeLine({ ...r, dst }));
    if (k === undefined) d.add++;
    else d.replace++;
  }
  return d;
}

function diffNeighbours(want: readonly KernelNeighbour[], have: readonly KernelNeighbour[]): Diff {
  const d: Diff = { dels: [], sets: [], add: 0, replace: 0 };
  for (const k of have) if (!want.some((w) => w.ip === k.ip)) d.dels.push(`neigh del ${k.ip} dev ${VXLAN_DEV}`);
  for (const w of want) {
    const k = have.find((h) => h.ip === w.ip);
    if (k !== undefined && k.mac === w.mac && k.permanent) continue;
    d.sets.push(`neigh replace ${w.ip} lladdr ${w.mac} dev ${VXLAN_DEV} nud permanent`);
    if (k === undefined) d.add++;
    else d.replace++;
  }
  return d;
}

function fdbDel(e: KernelFdbEntry): string {
  return `fdb del ${e.mac} dev ${VXLAN_DEV}${e.dst === '' ? '' : ` dst ${e.dst}`} self`;
}

/** One permanent remote per MAC: extra or wrong remotes of a wanted MAC are deleted before the replace. */
function diffFdb(want: readonly KernelFdbEntry[], have: readonly KernelFdbEntry[]): Diff {
  const d: Diff = { dels: [], sets: [], add: 0, replace: 0 };
  for (const k of have) {
    const w = want.find((x) => x.mac === k.mac);
    if (w === undefined || k.dst !== w.dst) d.dels.push(fdbDel(k));
  }
  for (const w of want) {
    const entries = have.filter((h) => h.mac === w.mac);
    const only = entries.length === 1 ? entries[0] : undefined;
    if (only !== undefined && only.dst === w.dst && only.permanent) continue;
    d.sets.push(`fdb replace ${w.mac} dev ${VXLAN_DEV} dst ${w.dst} self permanent`);
    if (entries.length === 0) d.add++;
    else d.replace++;
  }
  return d;
}

/** The kernel state once `desired` is applied: the shadow copy kept between syncs. */
export function stateAfter(desired: DesiredDatapath): KernelState {
  const routes = desired.routes.map((r) => ({ ...r, dst: normalizeDst(r.dst), metric: 0 }));
  const spec = desired.vxlan;
  if (spec === undefined) return { routes, vxlan: undefined, neighbours: [], fdb: [] };
  return {
    routes,
    vxlan: deviceAfter(spec),
    neighbours: spec.peers.map((p) => ({ ip: p.gatewayIp, mac: p.mac, permanent: true })),
    fdb: spec.peers.map((p) => ({ mac: p.mac, dst: p.nodeIp, permanent: true })),
  };
}

export function planSync(desired: DesiredDatapath, current: KernelState): SyncPlan {
  const device = planVxlanDevice(desired.vxlan, current.vxlan);
  // A device created, recreated or deleted takes its routes, neighbours and FDB with it.
  const fresh = device.action === 'created' || device.action === 'recreated' || device.action === 'deleted';
  const have: KernelState = fresh ? { ...current, routes: current.routes.filter((r) => r.dev !== VXLAN_DEV), neighbours: [], fdb: [] } : current;
  const want = stateAfter(desired);
  const routes = diffRoutes(desired.routes, have.routes);
  const neigh = diffNeighbours(want.neighbours, have.neighbours);
  const fdb = diffFdb(want.fdb, have.fdb);
  const parts = [routes, neigh, fdb];
  return {
    device: device.action,
    ipLines: [...device.lines, ...routes.dels, ...neigh.dels, ...neigh.sets, ...routes.sets],
    bridgeLines: [...fdb.dels, ...fdb.sets],
    changes: {
      add: parts.reduce((n, p) => n + p.add, 0),
      replace: parts.reduce((n, p) => n + p.replace, 0),
      delete: parts.reduce((n, p) => n + p.dels.length, 0),
    },
  };
}
