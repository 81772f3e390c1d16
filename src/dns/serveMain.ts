/**
 * A standalone DNS responder, for tests and manual checks in a netns:
 *   ip netns exec <node netns> node src/dns/serveMain.ts --records FILE [--address A] [--port P] [--claim-address]
 *     [--tcp-per-client N] [--tcp-total N] [--tcp-query-timeout-ms MS]   (defaults: DEFAULT_TCP_LIMITS)
 * FILE holds DnsRecordsInput JSON ({cluster, services: [{namespace, name, clusterIP, global}]});
 * SIGHUP re-reads it. Prints `listening <address> <port>` on stdout once both
 * sockets are bound; runs until SIGTERM/SIGINT. (The agent runs the same
 * server in-process; it does not use this entry.)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { errorMessage } from '../errors.ts';
import { createLogger } from '../util/log.ts';
import { claimLoopbackAddress } from './loopbackAddress.ts';
import { POD_NAMESERVER } from './resolvConf.ts';
import { startDnsServer } from './server.ts';
import type { TcpLimits } from './tcpLimits.ts';

const RecordsFile = z.object({
  cluster: z.string(),
  services: z.array(z.object({ namespace: z.string(), name: z.string(), clusterIP: z.string(), global: z.boolean() })),
});

const { values } = parseArgs({
  options: {
    address: { type: 'string', default: POD_NAMESERVER },
    port: { type: 'string', default: '53' },
    records: { type: 'string' },
    'claim-address': { type: 'boolean', default: false },
    'tcp-per-client': { type: 'string' },
    'tcp-total': { type: 'string' },
    'tcp-query-timeout-ms': { type: 'string' },
  },
});
const tcp: Partial<TcpLimits> = {};
if (values['tcp-per-client'] !== undefined) tcp.perClient = Number(values['tcp-per-client']);
if (values['tcp-total'] !== undefined) tcp.total = Number(values['tcp-total']);
if (values['tcp-query-timeout-ms'] !== undefined) tcp.queryTimeoutMs = Number(values['tcp-query-timeout-ms']);
const logger = createLogger({ proc: 'dns' });
const recordsFile = values.records;
if (recordsFile === undefined) {
  process.stderr.write('usage: serveMain.ts --records FILE [--address A] [--port P] [--claim-address]\n');
  process.exit(2);
}
const readRecords = (): z.infer<typeof RecordsFile> => RecordsFile.parse(JSON.parse(readFileSync(recordsFile, 'utf8')));

try {
  if (values['claim-address']) await claimLoopbackAddress(values.address);
  const server = await startDnsServer({ address: values.address, port: Number(values.port), logger, records: readRecords(), tcp });
  process.stdout.write(`listening ${server.address} ${server.port}\n`);
  process.on('SIGHUP', () => {
    try {
      server.setRecords(readRecords());
      logger.info('records reloaded', { names: server.stats().names });
    } catch (err) {
      logger.warn('records not reloaded', { file: recordsFile, err: errorMessage(err) });
    }
  });
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  logger.error('DNS responder failed to start', { err: errorMessage(err) });
  process.exit(1);
}
