/**
 * Pods an agent started, as it recorded them: `<state-dir>/pods/*.json` with
 * `{ netns, processes: [{ pid, startTime }] }`. Read by `weft lab down` to stop
 * exactly those processes and delete those netns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../errors.ts';
import type { ProcessRecord } from '../util/proc.ts';

const RecordedPod = z.object({
  netns: z.string(),
  processes: z.array(z.object({ pid: z.number().int().positive(), startTime: z.string() })),
});

export interface RecordedPodFile {
  file: string;
  netns: string;
  processes: ProcessRecord[];
}

export interface RecordedPods {
  pods: RecordedPodFile[];
  /** Files that could not be read, with why. */
  invalid: { file: string; reason: string }[];
}

export function readRecordedPods(hostStateDir: string): RecordedPods {
  const dir = path.join(hostStateDir, 'pods');
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return { pods: [], invalid: [] };
  }
  const out: RecordedPods = { pods: [], invalid: [] };
  for (const f of files) {
    const file = path.join(dir, f);
    try {
      const rec = RecordedPod.parse(JSON.parse(readFileSync(file, 'utf8')));
      out.pods.push({ file, netns: rec.netns, processes: rec.processes.map((p) => ({ pid: p.pid, startTime: p.startTime })) });
    } catch (err) {
      out.invalid.push({ file, reason: errorMessage(err) });
    }
  }
  return out;
}
