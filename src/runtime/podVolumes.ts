/**
 * A pod's volumes on the node: `<state-dir>/pods/<stem>.volumes/<volume>/`
 * (podFileStem: `<ns>_<pod>`, shortened with a hash for long names).
 * A configMap volume holds a file per key (or per items[].path) read from the
 * ConfigMap; an emptyDir is an empty folder. Made before the pod's processes
 * start, refreshed while it runs (ConfigMap edits reach the files, as the
 * kubelet does), removed with the pod. A missing ConfigMap (or key) keeps the
 * pod waiting with a VolumeNotReady error, unless the volume is optional.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { WeftError, ErrorCode } from '../errors.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { podFileStem, podRecordDir } from './podRecord.ts';
import type { RuntimeConfigMapVolume, RuntimePod } from './podSpec.ts';
import { volumeDir } from './volumeMounts.ts';

export interface ConfigMapData {
  readonly data: Readonly<Record<string, string>>;
}

/** Where the agent reads ConfigMaps (etcd in a lab: configMapSource.ts). */
export interface ConfigMapSource {
  get(namespace: string, name: string): Promise<ConfigMapData | undefined>;
}

export interface VolumeFile {
  /** Relative to the volume's folder. */
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/** Kubernetes' default mode of configMap volume files (0644). */
export const DEFAULT_FILE_MODE = 0o644;

export function podVolumesDir(stateDir: string, namespace: string, pod: string): string {
  return path.join(podRecordDir(stateDir), `${podFileStem(namespace, pod)}.volumes`);
}

export function hasConfigMapVolumes(pod: RuntimePod): boolean {
  return (pod.volumes ?? []).some((v) => v.configMap !== undefined);
}

/** The files of one configMap volume (pure). Throws VolumeNotReady naming the volume, ConfigMap and key. */
export function configMapVolumeFiles(volume: string, src: RuntimeConfigMapVolume, namespace: string, cm: ConfigMapData | undefined): VolumeFile[] {
  const optional = src.optional === true;
  const setupFailed = `MountVolume.SetUp failed for volume "${volume}"`;
  if (cm === undefined) {
    if (optional) return [];
    throw new WeftError(ErrorCode.VolumeNotReady, `${setupFailed}: configmap "${src.name}" not found in namespace "${namespace}"`);
  }
  const mode = src.defaultMode ?? DEFAULT_FILE_MODE;
  if (src.items === undefined) return Object.entries(cm.data).map(([key, content]) => ({ path: key, content, mode }));
  const files: VolumeFile[] = [];
  for (const item of src.items) {
    // own keys only: cm.data['__proto__'] of a map without that key is Object.prototype
    const content = Object.hasOwn(cm.data, item.key) ? cm.data[item.key] : undefined;
    if (content === undefined) {
      if (optional) continue;
      throw new WeftError(ErrorCode.VolumeNotReady, `${setupFailed}: configmap "${src.name}" in namespace "${namespace}" has no key "${item.key}" (keys: ${Object.keys(cm.data).join(', ') || 'none'})`);
    }
    files.push({ path: item.path, content, mode: item.mode ?? mode });
  }
  return files;
}

/** Every file's path under dir, relative, recursively. */
function listFiles(dir: string, prefix = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(path.join(dir, prefix));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const rel = prefix === '' ? n : path.join(prefix, n);
    return statSync(path.join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

function sameFile(file: string, want: VolumeFile): boolean {
  try {
    return (statSync(file).mode & 0o777) === want.mode && readFileSync(file, 'utf8') === want.content;
  } catch {
    return false;
  }
}

/** Make the folder hold exactly these files; unchanged files are not rewritten, each write is atomic. */
export function syncVolumeFolder(dir: string, files: readonly VolumeFile[]): boolean {
  mkdirSync(dir, { recursive: true });
  let changed = false;
  const wanted = new Set(files.map((f) => path.normalize(f.path)));
  for (const rel of listFiles(dir)) {
    if (wanted.has(rel)) continue;
    rmSync(path.join(dir, rel), { force: true });
    changed = true;
  }
  for (const f of files) {
    const file = path.join(dir, f.path);
    if (sameFile(file, f)) continue;
    writeFileAtomic(file, f.content, f.mode);
    chmodSync(file, f.mode); // the mode asked for, whatever the umask
    changed = true;
  }
  return changed;
}

/**
 * Create (or bring up to date) every volume of the pod. All ConfigMaps are
 * read before anything is written, so a missing one changes nothing.
 * Returns whether any file changed.
 */
export async function materializePodVolumes(stateDir: string, pod: RuntimePod, source: ConfigMapSource | undefined): Promise<boolean> {
  const plans: { dir: string; files: readonly VolumeFile[] | undefined }[] = [];
  const base = podVolumesDir(stateDir, pod.namespace, pod.name);
  for (const v of pod.volumes ?? []) {
    const dir = volumeDir(base, v.name);
    if (v.configMap === undefined) {
      plans.push({ dir, files: undefined });
      continue;
    }
    if (source === undefined) throw new WeftError(ErrorCode.VolumeNotReady, `MountVolume.SetUp failed for volume "${v.name}": this node has no ConfigMap source`);
    plans.push({ dir, files: configMapVolumeFiles(v.name, v.configMap, pod.namespace, await source.get(pod.namespace, v.configMap.name)) });
  }
  let changed = false;
  for (const p of plans) {
    if (p.files === undefined) mkdirSync(p.dir, { recursive: true });
    else if (syncVolumeFolder(p.dir, p.files)) changed = true;
  }
  return changed;
}

export function removePodVolumes(stateDir: string, namespace: string, pod: string): void {
  rmSync(podVolumesDir(stateDir, namespace, pod), { recursive: true, force: true });
}
