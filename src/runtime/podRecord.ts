/**
 * What the agent knows it started for a pod, on disk so a restarted agent
 * adopts running pods instead of recreating them, and `weft lab down` can stop
 * them by recorded PID. One JSON file per pod: <state-dir>/pods/<stem>.json,
 * the stem from podFileStem.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../util/atomicFile.ts';

export const PodRecord = z.object({
  namespace: z.string(),
  name: z.string(),
  netns: z.string(),
  containerId: z.string(),
  ip: z.string(),
  specHash: z.string(),
  startedAt: z.string(),
  restarts: z.number().int(),
  processes: z.array(z.object({ pid: z.number().int(), startTime: z.string(), container: z.string() })),
});
export type PodRecord = z.infer<typeof PodRecord>;

export function podRecordDir(stateDir: string): string {
  return path.join(stateDir, 'pods');
}

/** Stems up to this long are `<ns>_<pod>` as they are; longer ones are shortened. */
export const MAX_READABLE_STEM = 100;

/**
 * The file name stem of a pod's record, log and volumes folder: `<ns>_<pod>`
 * while that is at most MAX_READABLE_STEM characters, else the first 40
 * characters of each, then a hash of both: `<ns…>_<pod…>_<hash>`. A
 * Kubernetes name (namespace up to 63, pod up to 253) would otherwise make a
 * file name over the 255 bytes a Linux file system takes. Names hold no `_`,
 * so a shortened stem (two `_`) never equals a plain one (one `_`).
 */
export function podFileStem(namespace: string, name: string): string {
  const plain = `${namespace}_${name}`;
  if (plain.length <= MAX_READABLE_STEM) return plain;
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 16);
  return `${namespace.slice(0, 40)}_${name.slice(0, 40)}_${hash}`;
}

function recordPath(stateDir: string, namespace: string, name: string): string {
  return path.join(podRecordDir(stateDir), `${podFileStem(namespace, name)}.json`);
}

export function podLogPath(stateDir: string, namespace: string, name: string): string {
  return path.join(podRecordDir(stateDir), `${podFileStem(namespace, name)}.log`);
}

export function writePodRecord(stateDir: string, rec: PodRecord): void {
  writeJsonAtomic(recordPath(stateDir, rec.namespace, rec.name), rec);
}

export function removePodRecord(stateDir: string, namespace: string, name: string): void {
  rmSync(recordPath(stateDir, namespace, name), { force: true });
  rmSync(podLogPath(stateDir, namespace, name), { force: true });
}

/** All readable records; unreadable files are reported through onInvalid and skipped. */
export function readPodRecords(stateDir: string, onInvalid: (file: string, err: unknown) => void = () => undefined): PodRecord[] {
  let files: string[];
  try {
    files = readdirSync(podRecordDir(stateDir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const out: PodRecord[] = [];
  for (const f of files) {
    const file = path.join(podRecordDir(stateDir), f);
    try {
      out.push(PodRecord.parse(JSON.parse(readFileSync(file, 'utf8'))));
    } catch (err) {
      onInvalid(file, err);
    }
  }
  return out;
}
