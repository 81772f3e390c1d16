import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createCa } from '../pki/ca.ts';
import { issueCertificate } from '../pki/issue.ts';
import { createLogger } from '../util/log.ts';
import { startKubeletServer, type LogLookup } from './logServer.ts';

const logger = createLogger({ component: 'test' }, () => undefined);

interface Answer {
  status: number;
  body: string;
}

function get(port: number, p: string, tls: { ca: string; cert?: string; key?: string }, onData?: (chunk: string, req: { destroy(): void }) => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: p, ca: tls.ca, cert: tls.cert, key: tls.key }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
        onData?.(body, req);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

void test('kubelet log endpoint: mTLS against the client CA, routing, tail and follow', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-kubelet-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createCa({ commonName: 'kubernetes-ca' });
  const serving = await issueCertificate(ca, { commonName: 'n1', usages: ['serverAuth'], ipAddresses: ['127.0.0.1'] });
  const apiserver = await issueCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', usages: ['clientAuth'], organization: 'system:masters' });
  const other = await createCa({ commonName: 'someone-else' });
  const stranger = await issueCertificate(other, { commonName: 'stranger', usages: ['clientAuth'] });
  for (const [name, pem] of [['ca.crt', ca.certPem], ['kubelet.crt', serving.certPem], ['kubelet.key', serving.keyPem]] as const) writeFileSync(path.join(dir, name), pem);
  const log = path.join(dir, 'default_p.log');
  writeFileSync(log, 'one\ntwo\nthree\n');
  const lookup: LogLookup = {
    logFile: (ns, pod, container) => (ns === 'default' && pod === 'p' && container === 'c' ? { file: log } : { notFound: `pod ${ns}/${pod} container ${container} is not on this node` }),
  };
  const server = await startKubeletServer({ host: '127.0.0.1', port: 0, tls: { certFile: path.join(dir, 'kubelet.crt'), keyFile: path.join(dir, 'kubelet.key'), clientCaFile: path.join(dir, 'ca.crt') }, lookup, logger });
  t.after(() => server.close());
  const client = { ca: ca.certPem, cert: apiserver.certPem, key: apiserver.keyPem };

  assert.deepEqual(await get(server.port, '/containerLogs/default/p/c', client), { status: 200, body: 'one\ntwo\nthree\n' });
  assert.deepEqual(await get(server.port, '/containerLogs/default/p/c?tailLines=1', client), { status: 200, body: 'three\n' });
  const missing = await get(server.port, '/containerLogs/default/q/c', client);
  assert.equal(missing.status, 404);
  assert.match(missing.body, /default\/q/);
  assert.equal((await get(server.port, '/exec/default/p/c', client)).status, 404);
  assert.equal((await get(server.port, '/containerLogs/default/p/c?tailLines=x', client)).status, 400);

  // no client certificate, or one from another CA: refused in the handshake
  await assert.rejects(get(server.port, '/containerLogs/default/p/c', { ca: ca.certPem }));
  await assert.rejects(get(server.port, '/containerLogs/default/p/c', { ca: ca.certPem, cert: stranger.certPem, key: stranger.keyPem }));

  // follow: what is appended arrives on the open stream
  setTimeout(() => appendFileSync(log, 'four\n'), 300);
  const followed = await get(server.port, '/containerLogs/default/p/c?follow=true&tailLines=1', client, (body, req) => {
    if (body.includes('four\n')) req.destroy();
  });
  assert.equal(followed.body, 'three\nfour\n');
});
