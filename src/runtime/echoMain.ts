/**
 * Entry point of a pod's echo-server process:
 *   node echoMain.ts <pod> <namespace> <node> <cluster> <port/proto>...
 * Runs until SIGTERM.
 */
import { startEcho } from './echoServer.ts';
import type { EchoPort } from './echoServer.ts';

const [pod, namespace, node, cluster, ...portArgs] = process.argv.slice(2);
if (pod === undefined || namespace === undefined || node === undefined || cluster === undefined || portArgs.length === 0) {
  process.stderr.write('usage: echoMain.ts <pod> <namespace> <node> <cluster> <port/TCP|UDP>...\n');
  process.exit(2);
}
const ports: EchoPort[] = portArgs.map((a) => {
  const [p, proto] = a.split('/');
  return { port: Number(p), protocol: proto === 'UDP' ? 'UDP' : 'TCP' };
});
const running = await startEcho({ pod, namespace, node, cluster }, ports);
process.stderr.write(`echo server for ${namespace}/${pod} on ${portArgs.join(', ')}\n`);
const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
