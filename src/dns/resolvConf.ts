/**
 * A pod's resolv.conf. `ip netns exec <netns> …` bind-mounts
 * /etc/netns/<netns>/resolv.conf over /etc/resolv.conf for the process it
 * starts, so writing that file before the pod's processes start gives them the
 * node DNS responder (169.254.1.1, the pod's gateway) and Kubernetes' search
 * path. The mount is made at exec time: processes already running keep the
 * file they started with.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { GATEWAY_IP } from '../cni/veth.ts';
import { WeftError, ErrorCode } from '../errors.ts';
import { isDns1123Label } from '../model/names.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { CLUSTER_ZONE } from './records.ts';

/** Where the responder listens: the link-local gateway every pod routes through (169.254.1.1). */
export const POD_NAMESERVER = GATEWAY_IP;
/** Names with fewer dots than this go through the search path first (Kubernetes' value). */
export const POD_NDOTS = 5;
/** `ip netns exec` looks for per-namespace files here. */
export const NETNS_ETC_DIR = '/etc/netns';

/** The search path of a pod in `namespace`, most specific first. */
export function podSearchDomains(namespace: string): string[] {
  return [`${namespace}.svc.${CLUSTER_ZONE}`, `svc.${CLUSTER_ZONE}`, CLUSTER_ZONE];
}

export function podResolvConfText(namespace: string): string {
  if (!isDns1123Label(namespace)) throw new WeftError(ErrorCode.InvalidInput, `namespace "${namespace}" is not a DNS label`);
  return [`nameserver ${POD_NAMESERVER}`, `search ${podSearchDomains(namespace).join(' ')}`, `options ndots:${POD_NDOTS}`, ''].join('\n');
}

function netnsDir(netns: string, etcDir: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(netns) || netns === '.' || netns === '..') {
    throw new WeftError(ErrorCode.InvalidInput, `network namespace name "${netns}" is not a plain file name`);
  }
  return path.join(etcDir, netns);
}

/** Writes /etc/netns/<netns>/resolv.conf (atomically); returns its path. Call before starting the pod's processes. */
export function writePodResolvConf(netns: string, namespace: string, etcDir = NETNS_ETC_DIR): string {
  const file = path.join(netnsDir(netns, etcDir), 'resolv.conf');
  writeFileAtomic(file, podResolvConfText(namespace));
  return file;
}

/** Removes /etc/netns/<netns>/ and everything in it; nothing to do when it is gone. */
export function removePodResolvConf(netns: string, etcDir = NETNS_ETC_DIR): void {
  rmSync(netnsDir(netns, etcDir), { recursive: true, force: true });
}
