/**
 * A file write that survives a crash or power loss: write a temporary file,
 * fsync it, rename it over the target, fsync the folder. A reader sees the old
 * content or the new, never a mix, and once the promise resolves the new
 * content is on disk.
 */
import { open, rename, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';

let counter = 0;

export async function writeFileDurable(file: string, content: string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${counter++}`;
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
