/**
 * Entry point of the helloworld stand-in process:
 *   node helloworldMain.ts --version <v> --instance <pod> --port <n> [--port <n>…]
 * Runs until SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startHelloworld } from './helloworldServer.ts';

const usage = 'usage: helloworldMain.ts --version <v> --instance <pod> --port <n>...';
let values: { version?: string | undefined; instance?: string | undefined; port?: string[] | undefined };
try {
  ({ values } = parseArgs({ options: { version: { type: 'string' }, instance: { type: 'string' }, port: { type: 'string', multiple: true } } }));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage}\n`);
  process.exit(2);
}
const ports = (values.port ?? []).map(Number);
if (values.version === undefined || values.instance === undefined || ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) {
  process.stderr.write(`${usage}  (got ${JSON.stringify(values)})\n`);
  process.exit(2);
}
const running = await startHelloworld({ version: values.version, instance: values.instance }, ports);
process.stderr.write(`helloworld ${values.version} (Istio sample stand-in) for ${values.instance} on ${running.ports.join(', ')}\n`);
const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
