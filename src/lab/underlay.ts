/**
 * The lab underlay (kind's docker network): netns `wf-underlay` with bridge
 * br0, a veth `weft0` from the root netns, and one veth per lab host.
 */
import { exec } from '../util/exec.ts';
import { addNetns, deleteLink, deleteNetns, ipBatch, linkExists, netnsExists, setSysctls } from './netns.ts';
import { ROOT_VETH } from './plan.ts';
import type { HostPlan, UnderlayPlan } from './plan.ts';
import type { RootNetwork } from './validate.ts';

interface IpAddrJson {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}
interface IpRouteJson {
  dst?: string;
  dev?: string;
}

/** Networks the root netns holds (pure: parses `ip -j -4 addr` and `ip -j -4 route`), skipping the device `ignoreDev`. */
export function parseRootNetworks(addrJson: string, routeJson: string, ignoreDev: string): RootNetwork[] {
  const out: RootNetwork[] = [];
  const addrs = JSON.parse(addrJson === '' ? '[]' : addrJson) as IpAddrJson[];
  for (const link of addrs) {
    if (link.ifname === ignoreDev) continue;
    for (const a of link.addr_info ?? []) {
      if (a.family !== 'inet' || a.local === undefined || a.prefixlen === undefined) continue;
      out.push({ cidr: `${a.local}/32`, source: `address ${a.local}/${a.prefixlen} on ${link.ifname ?? '?'}` });
    }
  }
  const routes = JSON.parse(routeJson === '' ? '[]' : routeJson) as IpRouteJson[];
  for (const r of routes) {
    if (r.dst === undefined || r.dst === 'default' || r.dev === ignoreDev) continue;
    const cidr = r.dst.includes('/') ? r.dst : `${r.dst}/32`;
    out.push({ cidr, source: `route to ${r.dst} dev ${r.dev ?? '?'}` });
  }
  return out;
}

export async function rootNetworks(ignoreDev: string): Promise<RootNetwork[]> {
  const addr = await exec('ip', ['-j', '-4', 'addr', 'show']);
  const route = await exec('ip', ['-j', '-4', 'route', 'show']);
  return parseRootNetworks(addr.trim(), route.trim(), ignoreDev);
}

/** The address/prefix of the root netns end of the underlay, '' when it has none. */
export async function rootVethAddress(): Promise<string> {
  const out = (await exec('ip', ['-j', '-4', 'addr', 'show', 'dev', ROOT_VETH])).trim();
  const parsed = JSON.parse(out === '' ? '[]' : out) as { addr_info?: { local?: string; prefixlen?: number }[] }[];
  const a = parsed[0]?.addr_info?.[0];
  return a?.local === undefined ? '' : `${a.local}/${a.prefixlen ?? 32}`;
}

/** Creates whatever part of the underlay is missing; returns what it created. */
export async function ensureUnderlay(u: UnderlayPlan): Promise<string[]> {
  const done: string[] = [];
  if (!netnsExists(u.netns)) {
    await addNetns(u.netns);
    done.push(`netns ${u.netns}`);
  }
  if (!(await linkExists(u.netns, u.bridge))) {
    await ipBatch(u.netns, [`link add ${u.bridge} type bridge`, `link set ${u.bridge} up`]);
    done.push(`bridge ${u.bridge}`);
  }
  if (!(await linkExists(undefined, u.rootVeth))) {
    await exec('ip', ['link', 'add', u.rootVeth, 'type', 'veth', 'peer', 'name', u.rootPeer, 'netns', u.netns]);
    await ipBatch(u.netns, [`link set ${u.rootPeer} master ${u.bridge} up`]);
    await ipBatch(undefined, [`addr add ${u.rootAddress} dev ${u.rootVeth}`, `link set ${u.rootVeth} up`]);
    done.push(`veth ${u.rootVeth} ${u.rootAddress} (root netns) ↔ ${u.rootPeer}`);
  }
  return done;
}

/**
 * Host veths on the underlay bridge. The underlay is machine-wide, while a
 * lab state (WEFT_HOME) knows only its own clusters: veths left here belong
 * to clusters of another WEFT_HOME, and the underlay must stay for them.
 */
export async function underlayHostLinks(u: UnderlayPlan): Promise<string[]> {
  if (!netnsExists(u.netns)) return [];
  const out = (await exec('ip', ['-n', u.netns, '-j', 'link', 'show'])).trim();
  const links = JSON.parse(out === '' ? '[]' : out) as { ifname?: string }[];
  return links.map((l) => l.ifname ?? '').filter((n) => n !== '' && n !== 'lo' && n !== u.bridge && n !== u.rootPeer);
}

/** Removes the underlay (its netns takes the bridge and every veth end with it). */
export async function removeUnderlay(u: UnderlayPlan): Promise<string[]> {
  const done: string[] = [];
  if (await deleteLink(undefined, u.rootVeth)) done.push(`veth ${u.rootVeth}`);
  if (await deleteNetns(u.netns)) done.push(`netns ${u.netns}`);
  return done;
}

/** The host's netns with eth0 on the underlay bridge; nodes also forward and do not filter by reverse path. */
export async function createHost(u: UnderlayPlan, host: HostPlan): Promise<void> {
  await addNetns(host.netns);
  if (!(await linkExists(u.netns, host.underlayVeth))) {
    await exec('ip', ['-n', u.netns, 'link', 'add', host.underlayVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.netns]);
  }
  await ipBatch(u.netns, [`link set ${host.underlayVeth} master ${u.bridge} up`]);
  await ipBatch(host.netns, [`addr replace ${host.address} dev eth0`, 'link set eth0 up']);
  if (host.role === 'node') {
    await setSysctls(host.netns, {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '0',
      'net.ipv4.conf.eth0.rp_filter': '0',
    });
  }
}

/** Deletes the host's veth in the underlay; true when it existed. */
export async function deleteHostLink(u: UnderlayPlan, host: { underlayVeth: string }): Promise<boolean> {
  return deleteLink(u.netns, host.underlayVeth);
}
