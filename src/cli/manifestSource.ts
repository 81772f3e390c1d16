/**
 * Reading the manifest text of `weft apply -f` / `weft delete -f`: a file or
 * standard input, at most MAX_MANIFEST_BYTES; a bigger input is refused
 * naming the file and the limit before it is parsed.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { WeftError, ErrorCode } from '../errors.ts';
import { formatBytes, MAX_MANIFEST_BYTES } from '../model/applyLimits.ts';

/** "standard input" or the quoted file name, for messages. */
export function sourceName(file: string): string {
  return file === '-' ? 'standard input' : `"${file}"`;
}

/** Up to `limit` bytes of `fd`; undefined when there are more. */
function readAtMost(fd: number, limit: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(1024 * 1024, limit + 1 - total));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      // standard input in non-blocking mode: wait by trying again
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw err;
    }
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) return undefined;
  }
}

/** The text of `file` ("-" = standard input), refused over `limit` bytes. */
export function readManifestSource(file: string, limit = MAX_MANIFEST_BYTES): string {
  let text: Buffer | undefined;
  try {
    const fd = file === '-' ? 0 : openSync(file, 'r');
    try {
      text = readAtMost(fd, limit);
    } finally {
      if (fd !== 0) closeSync(fd);
    }
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `cannot read ${sourceName(file)}: ${(err as Error).message}`);
  }
  if (text === undefined) {
    throw new WeftError(ErrorCode.InvalidInput, `${sourceName(file)} is over the limit of ${formatBytes(limit)} per manifest; split it; nothing was applied`);
  }
  return text.toString('utf8');
}
