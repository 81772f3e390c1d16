/**
 * What the agent knows it started for a pod, on disk so a restarted agent
 * adopts running pods instead of recreating them, and `weft lab down` can stop
 * them by recorded PID. One JSON file per pod: <state-dir>/pods/<ns>_<pod>.json.
 */
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

function recordPath(stateDir: string, namespace: string, name: string): string {
  return path.join(podRecordDir(stateDir), `${namespace}_${name}.json`);
}

export function podLogPath(stateDir: string, namespace: string, name: string): string {
  return path.join(podRecordDir(stateDir), `${namespace}_${name}.log`);
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
