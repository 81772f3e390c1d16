/**
 * The Prometheus text exposition format (version 0.0.4), parsed (pure): what
 * `weft status`, `weft clustermesh status` and the tests read from a daemon's
 * `/metrics`. Samples only (`# HELP` / `# TYPE` lines are skipped); label
 * values are unescaped (\\, \", \n). A malformed line is an error naming it.
 */
import { WeftError, ErrorCode } from '../errors.ts';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(text: string, line: string): number {
  // Go's ParseFloat, as Prometheus reads them: any case (prom-client writes `Nan`).
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const v = Number(text);
  if (text === '' || Number.isNaN(v)) throw new WeftError(ErrorCode.InvalidInput, `metrics line ${JSON.stringify(line)} has no numeric value`);
  return v;
}

/** `{a="x",b="y\"z"}` starting at `i`: the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  const bad = (): WeftError => new WeftError(ErrorCode.InvalidInput, `metrics line ${JSON.stringify(line)} has malformed labels at column ${i + 1}`);
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
    if (m === null) throw bad();
    i += m[0].length;
    if (line[i] !== '=' || line[i + 1] !== '"') throw bad();
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw bad();
      if (c === '"') break;
      if (c === '\\') {
        const n = line[i + 1];
        value += n === 'n' ? '\n' : (n ?? '');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[m[0]] = value;
    i++;
  }
}

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (name === undefined) throw new WeftError(ErrorCode.InvalidInput, `metrics line ${JSON.stringify(line)} does not start with a metric name`);
    let labels: Record<string, string> = {};
    let rest = line.slice(name.length);
    if (rest.startsWith('{')) {
      const l = parseLabels(line, name.length);
      labels = l.labels;
      rest = line.slice(l.end);
    }
    const [value = ''] = rest.trim().split(/\s+/); // a timestamp may follow
    out.push({ name, labels, value: parseValue(value, line) });
  }
  return out;
}

/** Samples of one metric whose labels include `match`. */
export function samplesOf(samples: readonly Sample[], name: string, match: Readonly<Record<string, string>> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The value of the first matching sample, or undefined. */
export function valueOf(samples: readonly Sample[], name: string, match: Readonly<Record<string, string>> = {}): number | undefined {
  return samplesOf(samples, name, match)[0]?.value;
}

/** The sum over matching samples (0 when none). */
export function sumOf(samples: readonly Sample[], name: string, match: Readonly<Record<string, string>> = {}): number {
  return samplesOf(samples, name, match).reduce((a, s) => a + s.value, 0);
}
