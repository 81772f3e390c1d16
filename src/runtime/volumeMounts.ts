/**
 * Where a container's mounted paths are on the node (pure). Lab pods share
 * the node's filesystem (no mount namespaces), so a volume mount becomes a
 * mapping mountPath → the volume's folder under the pod's volumes folder,
 * handed to the process as JSON in WEFT_VOLUME_MOUNTS.
 */
import path from 'node:path';
import { normalizeMountPath } from '../model/volumes.ts';

/** The environment variable holding a container's mounts: JSON {"<mountPath>": "<node folder>"}. */
export const VOLUME_MOUNTS_ENV = 'WEFT_VOLUME_MOUNTS';

export interface RuntimeVolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string | undefined;
  readonly readOnly?: boolean | undefined;
}

/** The folder of one volume of a pod: `<volumesDir>/<volume>`. */
export function volumeDir(volumesDir: string, volume: string): string {
  return path.join(volumesDir, volume);
}

/** mountPath (normalized, no trailing slash) → folder on the node, for each of a container's mounts. */
export function containerMounts(mounts: readonly RuntimeVolumeMount[] | undefined, volumesDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of mounts ?? []) {
    const dir = volumeDir(volumesDir, m.name);
    out[normalizeMountPath(m.mountPath)] = m.subPath === undefined || m.subPath === '' ? dir : path.join(dir, m.subPath);
  }
  return out;
}

/**
 * The node path of a path inside the container, through the deepest mount
 * holding it (/usr/share/nginx/html under a mount at /usr/share/nginx →
 * <dir>/html); undefined when no mount holds it.
 */
export function resolveMountedPath(mounts: Readonly<Record<string, string>>, target: string): string | undefined {
  const t = normalizeMountPath(target);
  let best: string | undefined;
  for (const mp of Object.keys(mounts)) {
    const holds = mp === '/' || t === mp || t.startsWith(`${mp}/`);
    if (holds && (best === undefined || mp.length > best.length)) best = mp;
  }
  if (best === undefined) return undefined;
  const base = mounts[best] ?? '';
  const rest = best === '/' ? t.slice(1) : t.slice(best.length + 1);
  return rest === '' ? base : path.join(base, rest);
}
