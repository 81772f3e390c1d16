/**
 * Pod volumes Weft materialises (configMap, emptyDir) and container volume
 * mounts. Other volume types (hostPath, secret, persistentVolumeClaim, …) are
 * rejected naming the type. A volume with no type is an emptyDir, as in
 * Kubernetes. Cross-field rules (mounts naming a volume of the pod, no
 * duplicates) are checked by checkPodVolumes on the whole pod spec.
 */
import { z } from 'zod';
import { dns1123Label, dns1123Subdomain } from './names.ts';

export const SUPPORTED_VOLUME_TYPES = ['configMap', 'emptyDir'] as const;

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** A ConfigMap data key: at most 253 characters of A-Z, a-z, 0-9, '-', '_' and '.', not '.' or '..'. */
export function isConfigMapKey(key: string): boolean {
  return key.length <= 253 && CONFIG_MAP_KEY.test(key) && key !== '.' && key !== '..';
}

export const configMapKey = z.string().refine(isConfigMapKey, {
  message: "must be a ConfigMap key: at most 253 characters of A-Z, a-z, 0-9, '-', '_' and '.' (not '.' or '..')",
});

/** A path inside a volume: relative, no '..' element, no empty element. */
export function isRelativeVolumePath(p: string): boolean {
  return p !== '' && !p.startsWith('/') && p.split('/').every((part) => part !== '..' && part !== '');
}

const relativePath = z.string().refine(isRelativeVolumePath, { message: "must be a relative path without '..' or empty elements" });
const fileMode = z.number().int().min(0).max(0o777);

export const KeyToPath = z.strictObject({ key: configMapKey, path: relativePath, mode: fileMode.optional() });
export type KeyToPath = z.infer<typeof KeyToPath>;

export const ConfigMapVolumeSource = z.strictObject({
  name: dns1123Subdomain,
  items: z.array(KeyToPath).optional(),
  defaultMode: fileMode.optional(),
  /** When true a missing ConfigMap (or key) gives an empty volume instead of keeping the pod waiting. */
  optional: z.boolean().optional(),
});
export type ConfigMapVolumeSource = z.infer<typeof ConfigMapVolumeSource>;

export const EmptyDirVolumeSource = z.strictObject({
  /** Accepted; the lab's emptyDir is always a plain directory on the node. */
  medium: z.enum(['', 'Memory']).optional(),
  sizeLimit: z.union([z.string(), z.number()]).optional(),
});
export type EmptyDirVolumeSource = z.infer<typeof EmptyDirVolumeSource>;

export interface Volume {
  name: string;
  configMap?: ConfigMapVolumeSource;
  emptyDir?: EmptyDirVolumeSource;
}

const VOLUME_FIELDS = new Set(['name', ...SUPPORTED_VOLUME_TYPES]);

export const Volume: z.ZodType<Volume> = z
  .looseObject({ name: dns1123Label, configMap: ConfigMapVolumeSource.optional(), emptyDir: EmptyDirVolumeSource.optional() })
  .superRefine((v, ctx) => {
    for (const [field, value] of Object.entries(v)) {
      if (VOLUME_FIELDS.has(field)) continue;
      ctx.addIssue({ code: 'custom', path: [field], input: value, message: `volume type "${field}" is not supported by Weft (supported: ${SUPPORTED_VOLUME_TYPES.join(', ')})` });
    }
    if (v.configMap !== undefined && v.emptyDir !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['emptyDir'], input: v.emptyDir, message: 'a volume has exactly one type, and this one already has configMap' });
    }
  })
  .transform(({ name, configMap, emptyDir }): Volume => ({
    name,
    ...(configMap === undefined ? {} : { configMap }),
    ...(emptyDir === undefined ? {} : { emptyDir }),
  }));

/** An absolute path; trailing slashes are allowed (mountPath: /usr/share/nginx/html/). */
export function isAbsoluteMountPath(p: string): boolean {
  return p.startsWith('/') && !p.split('/').includes('..');
}

export const VolumeMount = z.strictObject({
  name: dns1123Label,
  mountPath: z.string().refine(isAbsoluteMountPath, { message: "must be an absolute path without '..' elements" }),
  /** Accepted; not enforced (no mount namespaces in the lab). configMap volumes are read-only in Kubernetes anyway. */
  readOnly: z.boolean().optional(),
  subPath: relativePath.optional(),
  mountPropagation: z.unknown().optional(),
  recursiveReadOnly: z.unknown().optional(),
});
export type VolumeMount = z.infer<typeof VolumeMount>;

/** /usr/share/nginx/html/ → /usr/share/nginx/html ("/" stays "/"). */
export function normalizeMountPath(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.replace(/\/{2,}/g, '/');
}

interface PodVolumesView {
  readonly volumes?: readonly Volume[] | undefined;
  readonly containers: readonly { readonly volumeMounts?: readonly VolumeMount[] | undefined }[];
}

/** Pod-wide volume rules: unique volume names, mounts naming a volume of the pod, one mount per path in a container. */
export function checkPodVolumes(spec: PodVolumesView, ctx: z.RefinementCtx): void {
  const names = new Map<string, number>();
  (spec.volumes ?? []).forEach((v, i) => {
    const first = names.get(v.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['volumes', i, 'name'], input: v.name, message: `duplicate volume name (also volumes[${first}])` });
    else names.set(v.name, i);
  });
  const known = [...names.keys()].join(', ');
  spec.containers.forEach((c, i) => {
    const paths = new Map<string, number>();
    (c.volumeMounts ?? []).forEach((m, j) => {
      if (!names.has(m.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['containers', i, 'volumeMounts', j, 'name'],
          input: m.name,
          message: `no volume named "${m.name}" in spec.volumes (${known === '' ? 'the pod has no volumes' : `volumes: ${known}`})`,
        });
      }
      const p = normalizeMountPath(m.mountPath);
      const first = paths.get(p);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['containers', i, 'volumeMounts', j, 'mountPath'], input: m.mountPath, message: `duplicate mount path in the container (also volumeMounts[${first}])` });
      else paths.set(p, j);
    });
  });
}
