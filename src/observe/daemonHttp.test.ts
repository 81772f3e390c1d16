import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../util/log.ts';
import { jsonAnswer, parseListen, startDaemonHttp } from './daemonHttp.ts';

test('parseListen: host:port, empty host = all addresses, bad values named', () => {
  assert.deepEqual(parseListen('172.30.1.11:9962'), { host: '172.30.1.11', port: 9962 });
  assert.deepEqual(parseListen(':9963'), { host: '0.0.0.0', port: 9963 });
  assert.throws(() => parseListen('9962'), /"9962" is not host:port/);
  assert.throws(() => parseListen('h:70000'), /not host:port/);
});

test('a daemon serves /healthz, its routes, 404 naming the routes, 405 for other methods, 500 with the error', async (t) => {
  const d = await startDaemonHttp({ listen: '127.0.0.1:0', component: 'test', logger: silentLogger });
  t.after(() => d.close());
  d.route('/metrics', () => ({ status: 200, contentType: 'text/plain', body: 'x 1\n' }));
  d.route('/boom', () => Promise.reject(new Error('it broke')));
  d.route('/q', (u) => jsonAnswer({ last: u.searchParams.get('last') }));
  const base = `http://127.0.0.1:${d.port}`;
  const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; component: string };
  assert.deepEqual([health.status, health.component], ['ok', 'test']);
  assert.equal(await (await fetch(`${base}/metrics`)).text(), 'x 1\n');
  assert.deepEqual(await (await fetch(`${base}/q?last=5`)).json(), { last: '5' });
  const missing = await fetch(`${base}/nope`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /no route \/nope; routes: \/boom, \/healthz, \/metrics, \/q/);
  assert.equal((await fetch(`${base}/healthz`, { method: 'POST' })).status, 405);
  const boom = await fetch(`${base}/boom`);
  assert.equal(boom.status, 500);
  assert.match(await boom.text(), /it broke/);
});
