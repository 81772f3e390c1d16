/**
 * Small statistics shared by the benchmarks.
 */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

export function summary(xs: readonly number[]): { p50: number; p99: number; max: number; n: number } {
  return { p50: round2(percentile(xs, 0.5)), p99: round2(percentile(xs, 0.99)), max: round2(Math.max(...xs)), n: xs.length };
}
