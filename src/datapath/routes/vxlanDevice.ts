/**
 * The weft_vxlan device: decide (pure) whether to create, recreate, update or
 * delete it, as `ip -batch` lines; `ensureVxlanDevice` applies that on its own.
 */
import type { NetTools } from '../netTools.ts';
import { readVxlanDevice } from './kernelState.ts';
import { VXLAN_DEV } from './types.ts';
import type { DeviceAction, KernelVxlanDevice, VxlanSpec } from './types.ts';

export interface DevicePlan {
  action: DeviceAction;
  /** `ip -batch` lines, in order. */
  lines: string[];
}

function createLines(spec: VxlanSpec): string[] {
  return [
    `link add ${VXLAN_DEV} address ${spec.mac} type vxlan id ${spec.vni} local ${spec.localIp} dstport ${spec.port} nolearning dev ${spec.underlayDev}`,
    `link set dev ${VXLAN_DEV} up`,
  ];
}

/** VNI, port, local address, underlay device and learning cannot change in place: the device is recreated. */
function needsRecreate(spec: VxlanSpec, dev: KernelVxlanDevice): boolean {
  return dev.vni !== spec.vni || dev.port !== spec.port || dev.localIp !== spec.localIp || dev.underlayDev !== spec.underlayDev || dev.learning;
}

export function planVxlanDevice(spec: VxlanSpec | undefined, dev: KernelVxlanDevice | undefined): DevicePlan {
  if (spec === undefined) {
    return dev === undefined ? { action: 'unchanged', lines: [] } : { action: 'deleted', lines: [`link del dev ${VXLAN_DEV}`] };
  }
  if (dev === undefined) return { action: 'created', lines: createLines(spec) };
  if (needsRecreate(spec, dev)) return { action: 'recreated', lines: [`link del dev ${VXLAN_DEV}`, ...createLines(spec)] };
  const lines: string[] = [];
  if (dev.mac !== spec.mac) lines.push(`link set dev ${VXLAN_DEV} address ${spec.mac}`);
  if (!dev.up) lines.push(`link set dev ${VXLAN_DEV} up`);
  return { action: lines.length === 0 ? 'unchanged' : 'updated', lines };
}

/** The device as the kernel reports it once `spec` is applied. */
export function deviceAfter(spec: VxlanSpec): KernelVxlanDevice {
  return { vni: spec.vni, port: spec.port, localIp: spec.localIp, mac: spec.mac, underlayDev: spec.underlayDev, learning: false, up: true };
}

/**
 * Make weft_vxlan match `spec` right now (one `ip -batch`), without touching
 * its neighbours or FDB unless the device has to be recreated. For callers
 * that need the device before the first full sync.
 */
export async function ensureVxlanDevice(tools: NetTools, spec: VxlanSpec): Promise<DeviceAction> {
  const plan = planVxlanDevice(spec, await readVxlanDevice(tools));
  if (plan.lines.length > 0) await tools.run('ip', ['-batch', '-'], `${plan.lines.join('\n')}\n`);
  return plan.action;
}

/** Remove weft_vxlan (with everything on it); false when there was none. */
export async function deleteVxlanDevice(tools: NetTools): Promise<boolean> {
  const plan = planVxlanDevice(undefined, await readVxlanDevice(tools));
  if (plan.lines.length > 0) await tools.run('ip', ['-batch', '-'], `${plan.lines.join('\n')}\n`);
  return plan.action === 'deleted';
}
