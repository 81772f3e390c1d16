/**
 * The JSON a plugin prints: the ADD result (spec "Success" result, shaped per
 * cniVersion) and the VERSION answer. Pure.
 */
import { GATEWAY_IP } from './veth.ts';
import { SUPPORTED_VERSIONS } from './netconf.ts';

export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
}
export interface CniIpConfig {
  address: string;
  gateway?: string;
  interface?: number;
  /** Only in results before 1.0.0. */
  version?: '4' | '6';
}
export interface CniRoute {
  dst: string;
  gw?: string;
}
export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: CniRoute[];
  dns?: Record<string, unknown>;
}

export interface AddOutcome {
  cniVersion: string;
  hostVeth: string;
  hostMac: string;
  ifName: string;
  podMac: string;
  netns: string;
  ip: string;
  mtu?: number;
}

/** True for versions before 1.0.0, whose ips entries carry "version". */
function legacy(version: string): boolean {
  return version.startsWith('0.');
}

export function addResult(o: AddOutcome): CniResult {
  // interface mtu is a 1.1.0 field
  const mtu = o.mtu === undefined || o.cniVersion !== '1.1.0' ? {} : { mtu: o.mtu };
  const ip: CniIpConfig = { address: `${o.ip}/32`, gateway: GATEWAY_IP, interface: 1 };
  if (legacy(o.cniVersion)) ip.version = '4';
  return {
    cniVersion: o.cniVersion,
    interfaces: [
      { name: o.hostVeth, mac: o.hostMac, ...mtu },
      { name: o.ifName, mac: o.podMac, ...mtu, sandbox: o.netns },
    ],
    ips: [ip],
    routes: [{ dst: '0.0.0.0/0' }],
    dns: {},
  };
}

export function versionResult(requested: string | undefined): { cniVersion: string; supportedVersions: string[] } {
  const known = requested !== undefined && (SUPPORTED_VERSIONS as readonly string[]).includes(requested);
  return { cniVersion: known ? requested : '1.0.0', supportedVersions: [...SUPPORTED_VERSIONS] };
}
