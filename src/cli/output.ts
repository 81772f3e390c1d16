/**
 * Human output of the CLI: kubectl-style column tables, ages, JSON.
 */
export type OutputFormat = 'table' | 'wide' | 'json';

/** Columns padded to the widest cell, three spaces apart, like kubectl. */
export function formatColumns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function printColumns(header: readonly string[], rows: readonly (readonly string[])[]): void {
  process.stdout.write(`${formatColumns(header, rows)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** kubectl's short age: 45s, 12m, 3h, 2d13h. */
export function formatAge(sinceIso: string, now = Date.now()): string {
  const t = Date.parse(sinceIso);
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 > 0 && h < 10 ? `${m % 60}m` : ''}`;
  const d = Math.floor(h / 24);
  return `${d}d${h % 24 > 0 ? `${h % 24}h` : ''}`;
}
