/**
 * Read what Weft owns in the kernel: `ip -j route show proto 157`, the
 * weft_vxlan device, its IPv4 neighbours and its FDB. Parsers are pure.
 */
import { z } from 'zod';
import { WeftError, ErrorCode, isWeftError } from '../../errors.ts';
import type { NetTools } from '../netTools.ts';
import { VXLAN_DEV, WEFT_ROUTE_PROTO } from './types.ts';
import type { KernelFdbEntry, KernelNeighbour, KernelRoute, KernelState, KernelVxlanDevice } from './types.ts';

const RouteJson = z.object({
  dst: z.string(),
  gateway: z.string().optional(),
  dev: z.string().optional(),
  metric: z.number().optional(),
  flags: z.array(z.string()).optional(),
});
const LinkJson = z.object({
  ifname: z.string(),
  address: z.string().optional(),
  flags: z.array(z.string()).optional(),
  linkinfo: z
    .object({
      info_kind: z.string().optional(),
      info_data: z
        .object({ id: z.number().optional(), local: z.string().optional(), port: z.number().optional(), link: z.string().optional(), learning: z.boolean().optional() })
        .optional(),
    })
    .optional(),
});
const NeighJson = z.object({ dst: z.string(), lladdr: z.string().optional(), state: z.array(z.string()).optional() });
const FdbJson = z.object({ mac: z.string(), dst: z.string().optional(), state: z.string().optional() });

function parseJsonArray<T>(what: string, text: string, schema: z.ZodType<T>): T[] {
  if (text.trim() === '') return [];
  try {
    return z.array(schema).parse(JSON.parse(text));
  } catch (err) {
    throw new WeftError(ErrorCode.Internal, `cannot parse ${what} output: ${text.slice(0, 200)}`, { cause: err });
  }
}

/** Routes always carry a prefix length (`ip` prints host routes without `/32`). */
export function normalizeDst(dst: string): string {
  if (dst === 'default') return '0.0.0.0/0';
  return dst.includes('/') ? dst : `${dst}/32`;
}

export function parseRoutes(text: string): KernelRoute[] {
  return parseJsonArray('ip -j route', text, RouteJson).map((r) => ({
    dst: normalizeDst(r.dst),
    via: r.gateway ?? '',
    dev: r.dev ?? '',
    onlink: r.flags?.includes('onlink') ?? false,
    metric: r.metric ?? 0,
  }));
}

/** The device named weft_vxlan, if any; a device of another kind reports vni -1 so it never matches. */
export function parseVxlanDevice(text: string): KernelVxlanDevice | undefined {
  const link = parseJsonArray('ip -j -d link', text, LinkJson).find((l) => l.ifname === VXLAN_DEV);
  if (link === undefined) return undefined;
  const data = link.linkinfo?.info_kind === 'vxlan' ? (link.linkinfo.info_data ?? {}) : undefined;
  return {
    vni: data?.id ?? -1,
    port: data?.port ?? -1,
    localIp: data?.local ?? '',
    mac: link.address ?? '',
    underlayDev: data?.link ?? '',
    learning: data?.learning ?? true,
    up: link.flags?.includes('UP') ?? false,
  };
}

export function parseNeighbours(text: string): KernelNeighbour[] {
  return parseJsonArray('ip -j neigh', text, NeighJson).map((n) => ({
    ip: n.dst,
    mac: n.lladdr ?? '',
    permanent: n.state?.includes('PERMANENT') ?? false,
  }));
}

export function parseFdb(text: string): KernelFdbEntry[] {
  return parseJsonArray('bridge -j fdb', text, FdbJson).map((f) => ({ mac: f.mac, dst: f.dst ?? '', permanent: f.state === 'permanent' }));
}

/** The weft_vxlan device, or undefined when there is none. */
export async function readVxlanDevice(tools: NetTools): Promise<KernelVxlanDevice | undefined> {
  try {
    return parseVxlanDevice(await tools.run('ip', ['-j', '-d', 'link', 'show', 'dev', VXLAN_DEV]));
  } catch (err) {
    if (isWeftError(err, ErrorCode.CommandFailed) && /does not exist/.test(err.message)) return undefined;
    throw err;
  }
}

export async function readKernelState(tools: NetTools): Promise<KernelState> {
  const routes = parseRoutes(await tools.run('ip', ['-j', 'route', 'show', 'table', 'main', 'proto', String(WEFT_ROUTE_PROTO)]));
  const vxlan = await readVxlanDevice(tools);
  if (vxlan === undefined) return { routes, vxlan, neighbours: [], fdb: [] };
  const neighbours = parseNeighbours(await tools.run('ip', ['-4', '-j', 'neigh', 'show', 'dev', VXLAN_DEV]));
  const fdb = parseFdb(await tools.run('bridge', ['-j', 'fdb', 'show', 'dev', VXLAN_DEV]));
  return { routes, vxlan, neighbours, fdb };
}
