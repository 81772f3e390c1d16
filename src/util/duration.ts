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

/** A duration in ms as text the parser accepts back: 500ms, 5s, 1.5s, 2m, 1m30s, 1h. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sText = s === 0 ? '' : `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${sText}`;
}
