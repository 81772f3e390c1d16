/**
 * Entry point of the nginx stand-in process:
 *   node staticMain.ts [--root <folder>] --port <n> [--port <n>…]
 * Runs until SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startStaticServer } from './staticServer.ts';

let values: { root?: string | undefined; port?: string[] | undefined };
try {
  ({ values } = parseArgs({ options: { root: { type: 'string' }, port: { type: 'string', multiple: true } } }));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\nusage: staticMain.ts [--root <folder>] --port <n>...\n`);
  process.exit(2);
}
const ports = (values.port ?? []).map(Number);
if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) {
  process.stderr.write(`usage: staticMain.ts [--root <folder>] --port <n>...  (got ports ${JSON.stringify(values.port ?? [])})\n`);
  process.exit(2);
}
const running = await startStaticServer({ root: values.root, ports });
process.stderr.write(`static file server (nginx stand-in) serving ${values.root ?? 'the welcome page'} on ${running.ports.join(', ')}\n`);
const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
