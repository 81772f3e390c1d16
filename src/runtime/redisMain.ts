/**
 * Entry point of the redis stand-in process:
 *   node redisMain.ts <pod name> --port <n>
 * Runs until SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startRedisServer } from './redisServer.ts';

let parsed: { values: { port?: string | undefined }; positionals: string[] };
try {
  parsed = parseArgs({ options: { port: { type: 'string' } }, allowPositionals: true });
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\nusage: redisMain.ts <pod> --port <n>\n`);
  process.exit(2);
}
const port = Number(parsed.values.port ?? '6379');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`usage: redisMain.ts <pod> --port <n>  (got port ${JSON.stringify(parsed.values.port)})\n`);
  process.exit(2);
}
const running = await startRedisServer({ port, name: parsed.positionals[0] ?? 'redis' });
process.stderr.write(`redis stand-in listening on ${running.port}\n`);
const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
