/**
 * Durations on the command line: 500ms, 90s, 2m, 1h, or a plain number of seconds.
 */
import { WeftError, ErrorCode } from '../errors.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) throw new WeftError(ErrorCode.InvalidInput, `"${text}" is not a duration (examples: 500ms, 90s, 2m, 1h)`);
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000));
}
