/**
 * The one durable-file writer: write a temporary file, fsync it, rename it
 * over the target, fsync the folder. A reader sees the old content or the
 * new, never half a file, and once the call returns (or the promise
 * resolves) the new content is on disk, surviving a crash or power loss.
 * `writeFileAtomic` is the synchronous form, `writeFileDurable` the async one
 * (the CNI's IPAM state, written while requests wait).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

let counter = 0;
const tmpName = (file: string): string => `${file}.tmp-${process.pid}-${counter++}`;

function fsyncPathSync(p: string, flags: string): void {
  const fd = openSync(p, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(file: string, content: string, mode = 0o644): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = tmpName(file);
  try {
    writeFileSync(tmp, content, { mode });
    fsyncPathSync(tmp, 'r');
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  fsyncPathSync(dir, 'r');
}

export async function writeFileDurable(file: string, content: string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = tmpName(file);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(content, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

export function writeJsonAtomic(file: string, value: unknown, mode = 0o644): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** The parsed JSON of a file, or undefined when the file does not exist. */
export function readJsonIfExists(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as unknown;
}
