/**
 * How a lab pod's process is confined on the node (pure: argv and shell text).
 *
 * Each container process starts as
 *   ip netns exec <netns> unshare --mount --propagation private -- sh -c <script> weft-pod <argv…>
 * and the script, still root but only inside the pod's own mount namespace:
 * 1. mounts a fresh tmpfs that becomes the pod's /tmp, holding under
 *    /tmp/.weft (root-owned, 0755) a read-only view of what the built-in
 *    stand-ins need from the checkout (src, node_modules, package.json, bound
 *    one by one so an untraversable checkout folder such as /root/… still
 *    works) and the pod's own volumes (/tmp/.weft/volumes/<volume>);
 * 2. hides Weft's state (WEFT_HOME, /var/lib/weft, the node's state dir) and
 *    root's home under empty root-owned 0700 tmpfs mounts; the host's /tmp
 *    (where test homes and other labs live) is already replaced by step 1;
 * 3. binds each volume at its mountPath: onto the folder when it exists, else
 *    creates it in an overlay (upper layer on the pod's tmpfs) over the deepest
 *    existing ancestor, rebinding the mounts that sat below that ancestor
 *    (e.g. /etc/resolv.conf from ip netns exec); nothing is written to the
 *    host's filesystem. A mountPath whose only existing ancestor is / is
 *    reachable through WEFT_VOLUME_MOUNTS only;
 * 4. execs setpriv: the pod's own uid/gid (podUid), no supplementary groups,
 *    no capabilities (inheritable, ambient and bounding sets cleared),
 *    no_new_privs.
 * `weft exec` enters the same mount and network namespaces with nsenter and
 * the same setpriv (podExecArgv). Ports below 1024 are bound through the pod
 * netns' own net.ipv4.ip_unprivileged_port_start=0 (podNetnsSysctls).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { normalizeMountPath } from '../model/volumes.ts';
import type { RuntimeVolumeMount } from './volumeMounts.ts';

/** First uid (and gid) of the range pods get; above the usual subuid range (100000-165535). */
export const POD_UID_BASE = 200_000;
/** Size of the pod uid range: 2^30, so collisions between pods are negligible. */
export const POD_UID_SPAN = 2 ** 30;

/** Where the pod sees Weft's files: its own tmpfs, never the host's /tmp. */
export const POD_WEFT_DIR = '/tmp/.weft';
/** The read-only view of the checkout inside the pod. */
export const POD_CHECKOUT_DIR = `${POD_WEFT_DIR}/src`;
/** The pod's volumes inside the pod: <dir>/<volume>. */
export const POD_VOLUMES_DIR = `${POD_WEFT_DIR}/volumes`;
/** What of the checkout the stand-ins need at run time. */
export const CHECKOUT_ENTRIES = ['src', 'node_modules', 'package.json'] as const;

/** The stable uid (= gid) of a pod: POD_UID_BASE + 30 bits of sha256(cluster/namespace/name). */
export function podUid(cluster: string, namespace: string, name: string): number {
  const digest = createHash('sha256').update(`${cluster}/${namespace}/${name}`).digest();
  return POD_UID_BASE + (digest.readUInt32BE(0) % POD_UID_SPAN);
}

export interface SandboxVolume {
  readonly name: string;
  /** The volume's folder on the node. */
  readonly hostDir: string;
}

export interface PodSandbox {
  readonly uid: number;
  /** An empty folder on the node (root-only) where the pod's tmpfs is prepared before it moves to /tmp. */
  readonly stageDir: string;
  /** The checkout on the node (PROJECT_ROOT). */
  readonly checkout: string;
  /** Folders the pod must not see (missing ones are skipped at run time). */
  readonly hidden: readonly string[];
  readonly volumes: readonly SandboxVolume[];
  readonly mounts: readonly RuntimeVolumeMount[];
}

/** A single-quoted shell word. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The setpriv argv prefix that drops to the pod's uid with no groups and no capabilities. */
export function dropPrivilegesArgv(uid: number): string[] {
  return ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs', '--'];
}

/** The sysctls set inside each pod's network namespace: unprivileged pods bind low ports and ping. */
export const podNetnsSysctls: readonly string[] = ['net.ipv4.ip_unprivileged_port_start=0', 'net.ipv4.ping_group_range=0 2147483647'];

function mountTarget(m: RuntimeVolumeMount): { target: string; source: string } {
  const base = path.posix.join(POD_VOLUMES_DIR, m.name);
  return { target: normalizeMountPath(m.mountPath), source: m.subPath === undefined || m.subPath === '' ? base : path.posix.join(base, m.subPath) };
}

/** Shell lines binding one volume at its mountPath (see step 3 above); $n numbers the overlays. */
function mountPathLines(m: RuntimeVolumeMount): string[] {
  const { target, source } = mountTarget(m);
  const t = shellQuote(target);
  const ro = m.readOnly === true ? `mount -o remount,bind,ro ${t}` : ':';
  return [
    `if [ -d ${t} ]; then mount --bind ${shellQuote(source)} ${t}; ${ro}`,
    `else a=${t}; while [ ! -e "$a" ]; do a=$(dirname "$a"); done`,
    `  if [ "$a" = /tmp ] || [ "\${a#/tmp/}" != "$a" ]; then mkdir -p ${t}; mount --bind ${shellQuote(source)} ${t}; ${ro}`,
    `  elif [ "$a" != / ] && [ -d "$a" ]; then n=$((n+1)); o=${POD_WEFT_DIR}/ovl/$n; mkdir -p "$o/u" "$o/w" "$o/orig"`,
    `    mount --rbind "$a" "$o/orig"; subs=$(awk -v a="$a" 'index($5, a "/") == 1 {print $5}' /proc/self/mountinfo)`,
    `    mount -t overlay weft-pod -o "lowerdir=$a,upperdir=$o/u,workdir=$o/w" "$a"`,
    `    for s in $subs; do mount --bind "$o/orig\${s#"$a"}" "$s"; done`,
    `    mkdir -p ${t}; mount --bind ${shellQuote(source)} ${t}; ${ro}`,
    `  else echo ${shellQuote(`weft: volume ${m.name} is not mounted at ${target} (no parent folder to overlay); see $WEFT_VOLUME_MOUNTS`)} >&2; fi`,
    'fi',
  ];
}

/** The script run as root in the pod's fresh mount namespace; its "$@" is the pod's argv. */
export function sandboxScript(sb: PodSandbox): string {
  const stage = shellQuote(sb.stageDir);
  const lines = [
    'set -e',
    `mount -t tmpfs -o mode=1777,size=256m weft-pod ${stage}`,
    `mkdir -p ${stage}/.weft/src ${stage}/.weft/volumes ${stage}/.weft/ovl`,
    `chmod 0755 ${stage}/.weft ${stage}/.weft/src ${stage}/.weft/volumes; chmod 0700 ${stage}/.weft/ovl`,
  ];
  for (const entry of CHECKOUT_ENTRIES) {
    const from = shellQuote(path.join(sb.checkout, entry));
    const to = `${stage}/.weft/src/${entry}`;
    lines.push(`if [ -d ${from} ]; then mkdir ${to}; elif [ -e ${from} ]; then touch ${to}; fi`);
    lines.push(`if [ -e ${from} ]; then mount --bind ${from} ${to}; mount -o remount,bind,ro ${to}; fi`);
  }
  for (const v of sb.volumes) {
    const to = `${stage}/.weft/volumes/${shellQuote(v.name)}`;
    lines.push(`mkdir ${to}; mount --bind ${shellQuote(v.hostDir)} ${to}`);
  }
  lines.push(`mount --move ${stage} /tmp`);
  for (const h of sb.hidden) lines.push(`if [ -d ${shellQuote(h)} ]; then mount -t tmpfs -o mode=0700,size=4k,ro weft-hidden ${shellQuote(h)}; fi`);
  lines.push('n=0');
  const byDepth = [...sb.mounts].sort((a, b) => normalizeMountPath(a.mountPath).length - normalizeMountPath(b.mountPath).length);
  for (const m of byDepth) lines.push(...mountPathLines(m));
  lines.push('cd /', `exec ${dropPrivilegesArgv(sb.uid).join(' ')} "$@"`);
  return lines.join('\n');
}

/** The full argv that starts one of the pod's processes, confined (see the file comment). */
export function podLaunchArgv(netns: string, sb: PodSandbox, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', netns, 'unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', sandboxScript(sb), 'weft-pod', ...argv];
}

/** The argv of `weft exec`: the namespaces of the pod's process `pid`, as the pod's uid. */
export function podExecArgv(pid: number, uid: number, argv: readonly string[]): string[] {
  return ['nsenter', `--target=${pid}`, '--mount', '--net', '--wd=/', '--', ...dropPrivilegesArgv(uid), ...argv];
}

/** A path of the checkout as the pod sees it (under POD_CHECKOUT_DIR); paths outside the checkout are kept. */
export function podViewOfCheckoutPath(checkout: string, p: string): string {
  const rel = path.relative(checkout, p);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return p;
  return path.posix.join(POD_CHECKOUT_DIR, rel);
}
