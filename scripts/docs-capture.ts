/**
 * Re-runs walkthrough pages for real and rewrites their output blocks from
 * the run:  npm run docs:capture -- docs/seed-004.md [docs/seed-000.md …]
 * Needs root (it builds lab clusters). A page whose run fails is left as it
 * was, and the command exits 1 showing the failing step.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/util/paths.ts';
import { describeFailure, runWalkthrough } from '../test/support/walkthrough.ts';
import { withOutputs } from '../test/support/walkthroughPage.ts';

const pages = process.argv.slice(2).filter((a) => a !== '--');
if (pages.length === 0) {
  process.stderr.write('usage: npm run docs:capture -- docs/PAGE.md [docs/PAGE.md …]\n');
  process.exit(2);
}
let failures = 0;
for (const page of pages) {
  const file = path.resolve(PROJECT_ROOT, page);
  const home = mkdtempSync(path.join(tmpdir(), 'weft-docs-'));
  try {
    process.stdout.write(`${page}\n`);
    const run = await runWalkthrough(file, {
      home,
      onStep: (s) => process.stdout.write(`  ${s.ok ? '✅' : '❌'} ${s.id} (${(s.ms / 1000).toFixed(1)}s)\n`),
    });
    if (run.failed !== undefined) {
      failures++;
      process.stderr.write(`${describeFailure(run)}\n${page} left unchanged\n`);
      continue;
    }
    const outputs = new Map(run.steps.map((s) => [s.id, s.output]));
    writeFileSync(file, withOutputs(readFileSync(file, 'utf8'), outputs));
    process.stdout.write(`  rewrote ${run.steps.length} output blocks of ${page}\n`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
process.exitCode = failures > 0 ? 1 : 0;
