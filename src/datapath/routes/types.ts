/**
 * The node datapath as data: what compile produces, what apply reads back
 * from the kernel, and what a sync reports. No logic here.
 */

/** Routes Weft installs carry this rtnetlink protocol number, so Weft only ever reads and changes its own routes. */
export const WEFT_ROUTE_PROTO = 157;
export const VXLAN_DEV = 'weft_vxlan';
export const VXLAN_VNI = 1;
export const VXLAN_PORT = 8472;

/** One route in the main table, owned by Weft (proto 157). */
export interface Route {
  /** Destination CIDR, always with a prefix length (`10.244.2.0/24`). */
  dst: string;
  /** Gateway address. */
  via: string;
  dev: string;
  onlink: boolean;
}

export interface VxlanPeer {
  /** Underlay address that terminates the peer's VXLAN (its VTEP). */
  nodeIp: string;
  /** The peer's weft_vxlan MAC (derived from its node IP). */
  mac: string;
  /** First address of the peer's PodCIDR: the onlink gateway of its route, resolved by a permanent neighbour. */
  gatewayIp: string;
}

export interface VxlanSpec {
  dev: typeof VXLAN_DEV;
  vni: typeof VXLAN_VNI;
  port: typeof VXLAN_PORT;
  localIp: string;
  mac: string;
  /** The underlay device the VXLAN device sits on (sets its MTU: underlay − 50). */
  underlayDev: string;
  peers: VxlanPeer[];
}

export interface DesiredDatapath {
  routes: Route[];
  vxlan?: VxlanSpec;
  /** Inputs compile skipped (invalid addresses, CIDR conflicts), for the agent to log. */
  warnings: string[];
}

/** The VXLAN device as the kernel reports it. */
export interface KernelVxlanDevice {
  vni: number;
  port: number;
  localIp: string;
  mac: string;
  /** Name of the underlay device, '' when the kernel reports none. */
  underlayDev: string;
  learning: boolean;
  up: boolean;
}

export interface KernelRoute extends Route {
  metric: number;
}

export interface KernelNeighbour {
  ip: string;
  mac: string;
  permanent: boolean;
}

export interface KernelFdbEntry {
  mac: string;
  /** Remote VTEP, '' for entries without a destination. */
  dst: string;
  permanent: boolean;
}

/** What Weft owns in the kernel: proto-157 routes and everything on weft_vxlan. */
export interface KernelState {
  routes: KernelRoute[];
  vxlan: KernelVxlanDevice | undefined;
  neighbours: KernelNeighbour[];
  fdb: KernelFdbEntry[];
}

export type DeviceAction = 'unchanged' | 'created' | 'recreated' | 'updated' | 'deleted';

export interface SyncReport {
  /** True when the kernel state was read back (first sync, after a failure, periodic). */
  fullResync: boolean;
  device: DeviceAction;
  changes: { add: number; replace: number; delete: number };
  /** Every mutating command line, in order (`ip route replace …`, `bridge fdb del …`, `ip link add …`). Empty = nothing ran. */
  commands: string[];
}

export interface DatapathApplier {
  /** Make the kernel match `desired`; throws on failure (the next call then re-reads the kernel). */
  sync(desired: DesiredDatapath): Promise<SyncReport>;
}
