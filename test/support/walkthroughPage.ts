/**
 * The walkthrough page format (pure). A page in docs/ is Markdown; its steps
 * are the fenced blocks whose info string is `sh step=ID [fails] [teardown]`:
 *
 *   ```sh step=lab-up
 *   weft lab up --name cluster1 …
 *   ```
 *
 *   ```output
 *   …what the step printed, captured from a real run…
 *   ```
 *
 * `fails`: the step is expected to exit non-zero (seed 000's unreachable
 * ClusterIP). `teardown`: always run, even after an earlier step failed.
 * The `output` block right after a step (blank lines between allowed) is that
 * step's captured output; `npm run docs:capture -- PAGE` rewrites it. Other
 * fenced blocks (yaml, plain sh) are prose.
 */

export interface WalkthroughStep {
  readonly id: string;
  /** The shell text of the step, run by bash with `weft` on PATH. */
  readonly script: string;
  readonly fails: boolean;
  readonly teardown: boolean;
  /** 0-based line index of the step's closing fence. */
  readonly endLine: number;
  /** 0-based [open, close] line indexes of its output block, when it has one. */
  readonly output: readonly [number, number] | undefined;
}

interface Fence {
  readonly open: number;
  readonly close: number;
  readonly info: string;
  readonly body: string;
}

function fences(lines: readonly string[]): Fence[] {
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(`{3,})(.*)$/.exec(lines[i] ?? '');
    if (m === null) continue;
    const marker = m[1] ?? '```';
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? '').startsWith(marker)) j++;
    if (j >= lines.length) throw new Error(`unclosed code fence opened at line ${i + 1}`);
    out.push({ open: i, close: j, info: (m[2] ?? '').trim(), body: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return out;
}

/** The page's steps, in order. Throws on a duplicate or missing step id. */
export function parseWalkthrough(markdown: string): WalkthroughStep[] {
  const lines = markdown.split('\n');
  const all = fences(lines);
  const steps: WalkthroughStep[] = [];
  const seen = new Set<string>();
  all.forEach((f, n) => {
    const words = f.info.split(/\s+/);
    if (words[0] !== 'sh' || !words.some((w) => w.startsWith('step'))) return;
    const id = words.find((w) => w.startsWith('step='))?.slice(5) ?? '';
    if (id === '') throw new Error(`line ${f.open + 1}: a step needs an id: \`\`\`sh step=ID`);
    if (seen.has(id)) throw new Error(`line ${f.open + 1}: step id "${id}" is used twice`);
    seen.add(id);
    const next = all[n + 1];
    const between = next === undefined ? [] : lines.slice(f.close + 1, next.open);
    const hasOutput = next !== undefined && next.info === 'output' && between.every((l) => l.trim() === '');
    steps.push({ id, script: f.body, fails: words.includes('fails'), teardown: words.includes('teardown'), endLine: f.close, output: hasOutput ? [next.open, next.close] : undefined });
  });
  return steps;
}

/** The page with each step's output block replaced (or inserted) by `outputs[id]`; steps without an entry are left alone. */
export function withOutputs(markdown: string, outputs: ReadonlyMap<string, string>): string {
  const lines = markdown.split('\n');
  const steps = parseWalkthrough(markdown);
  // From the last step backwards so earlier line numbers stay valid.
  for (const s of [...steps].reverse()) {
    const text = outputs.get(s.id);
    if (text === undefined) continue;
    const body = text.replace(/\s+$/, '');
    const fence = body.includes('```') ? '````' : '```';
    const block = [`${fence}output`, ...(body === '' ? ['(no output)'] : body.split('\n')), fence];
    if (s.output !== undefined) lines.splice(s.output[0], s.output[1] - s.output[0] + 1, ...block);
    else lines.splice(s.endLine + 1, 0, '', ...block);
  }
  return lines.join('\n');
}
