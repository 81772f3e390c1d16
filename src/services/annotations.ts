/**
 * The Cilium ClusterMesh annotations of a Service (pure): global, shared and
 * affinity, with the legacy `io.cilium/…` spellings. Values are matched
 * case-insensitively, as Cilium does; anything else is an error naming the
 * annotation and the value.
 */
import type { ServiceAffinity } from '../model/state.ts';

export const ANNOTATION_GLOBAL = 'service.cilium.io/global';
export const ANNOTATION_GLOBAL_LEGACY = 'io.cilium/global-service';
export const ANNOTATION_SHARED = 'service.cilium.io/shared';
export const ANNOTATION_SHARED_LEGACY = 'io.cilium/shared-service';
export const ANNOTATION_AFFINITY = 'service.cilium.io/affinity';
export const ANNOTATION_AFFINITY_LEGACY = 'io.cilium/service-affinity';

export interface MeshAnnotations {
  readonly global: boolean;
  /** Whether other clusters may use this cluster's backends (default true). */
  readonly shared: boolean;
  readonly affinity: ServiceAffinity;
}

/** One problem with one annotation (`key` is the annotation to point at). */
export interface AnnotationProblem {
  readonly key: string;
  readonly message: string;
}

const BOOLEAN = ['true', 'false'] as const;
const AFFINITIES = ['local', 'remote', 'none'] as const;

/** "a", "b" or "c" */
function oneOf(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1] ?? ''}`;
}

type Read<T> = { value: T | undefined; problems: AnnotationProblem[] };

/** The value of an annotation given under its key or its legacy key (both must agree). */
function readOne<T extends string>(annotations: Readonly<Record<string, string>>, key: string, legacy: string, allowed: readonly T[]): Read<T> {
  const problems: AnnotationProblem[] = [];
  const values: { key: string; value: T }[] = [];
  for (const k of [key, legacy]) {
    const raw = annotations[k];
    if (raw === undefined) continue;
    const v = raw.trim().toLowerCase();
    const hit = allowed.find((a) => a === v);
    if (hit === undefined) problems.push({ key: k, message: `must be ${oneOf(allowed)}` });
    else values.push({ key: k, value: hit });
  }
  const [first, second] = values;
  if (first !== undefined && second !== undefined && first.value !== second.value) {
    problems.push({ key: legacy, message: `contradicts ${key}: "${first.value}"` });
  }
  return { value: first?.value, problems };
}

/** The mesh settings of a Service's annotations, or the problems found (never both empty-handed). */
export function readMeshAnnotations(annotations: Readonly<Record<string, string>>): { settings: MeshAnnotations; problems: AnnotationProblem[] } {
  const g = readOne(annotations, ANNOTATION_GLOBAL, ANNOTATION_GLOBAL_LEGACY, BOOLEAN);
  const s = readOne(annotations, ANNOTATION_SHARED, ANNOTATION_SHARED_LEGACY, BOOLEAN);
  const a = readOne(annotations, ANNOTATION_AFFINITY, ANNOTATION_AFFINITY_LEGACY, AFFINITIES);
  return {
    settings: { global: g.value === 'true', shared: s.value !== 'false', affinity: a.value ?? 'none' },
    problems: [...g.problems, ...s.problems, ...a.problems],
  };
}

/** The mesh settings of an already validated Service (invalid values fall back to the defaults). */
export function meshAnnotations(annotations: Readonly<Record<string, string>>): MeshAnnotations {
  return readMeshAnnotations(annotations).settings;
}
