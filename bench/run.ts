/**
 * `npm run bench`: runs every benchmark one after another (each builds and
 * removes its own namespaces/processes) and prints each one's JSON line.
 *   node bench/run.ts [name…]     e.g. node bench/run.ts cni throughput
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALL = ['cni', 'throughput', 'services', 'policy', 'propagation', 'kubePropagation', 'meshScale', 'flows', 'cliStart'];
const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : ALL;

let failed = 0;
for (const name of names) {
  process.stderr.write(`\n==> bench/${name}.ts\n`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--no-warnings=ExperimentalWarning', path.join(here, `${name}.ts`)], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    failed++;
    process.stderr.write(`bench/${name}.ts exited ${code}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
