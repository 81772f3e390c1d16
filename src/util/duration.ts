/**
 * Durations on the command line (`--remote-ttl 5m`): a number with a unit
 * ms, s, m or h, or a sum of them like 1h30m (Go's time.ParseDuration subset).
 */
import { WeftError, ErrorCode } from '../errors.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration text; WeftError(InvalidInput) naming the text otherwise. */
export function parseDuration(text: string): number {
  const s = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (m === null) break;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
    pos = part.lastIndex;
  }
  if (s === '' || pos !== s.length || !Number.isFinite(total) || total <= 0) {
    throw new WeftError(ErrorCode.InvalidInput, `duration "${text}" is not a positive duration like 500ms, 30s, 5m, 1h or 1h30m`);
  }
  return Math.round(total);
}
