import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../util/log.ts';
import type { DaemonHttp } from '../observe/daemonHttp.ts';
import { lastOf, startUiServer, DEFAULT_LAST, MAX_LAST } from './server.ts';
import { flowsView } from './flowsView.ts';
import type { MeshModel } from './meshModel.ts';

const mesh: MeshModel = { cluster: 'ui1', generatedAt: 't', clusters: [], services: [], status: { ok: true, tls: true, remotes: [], globalServices: 0, problems: [] } };
const asked: number[] = [];
let server: DaemonHttp;
let base: string;

before(async () => {
  server = await startUiServer({
    address: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    sources: {
      mesh: () => Promise.resolve(mesh),
      flows: (last) => {
        asked.push(last);
        return Promise.resolve(flowsView([], { asked: 2, answered: 1 }, ['agent ui1/n2 at http://x:9962: did not answer within 3000 ms'], 't'));
      },
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
after(() => server.close());

test('serves the page and its script and style, with their content types; a CSP keeps the page to its own origin', async () => {
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const html = await page.text();
  assert.match(html, /<script src="\/app.js"><\/script>/);
  assert.match(html, /Content-Security-Policy" content="default-src 'self'/);
  assert.doesNotMatch(html, /https?:\/\//, 'nothing fetched from elsewhere');
  const js = await fetch(`${base}/app.js`);
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(await js.text(), /\/api\/flows/);
  assert.match((await fetch(`${base}/style.css`)).headers.get('content-type') ?? '', /^text\/css/);
});

test('/api/mesh and /api/flows answer JSON from the sources; ?last= is bounded', async () => {
  assert.deepEqual(await (await fetch(`${base}/api/mesh`)).json(), mesh);
  const flows = (await (await fetch(`${base}/api/flows?last=50`)).json()) as { agents: { asked: number }; errors: string[]; graph: { flows: number } };
  assert.deepEqual([flows.agents.asked, flows.errors.length, flows.graph.flows], [2, 1, 0]);
  await fetch(`${base}/api/flows?last=abc`);
  await fetch(`${base}/api/flows?last=99999999`);
  assert.deepEqual(asked, [50, DEFAULT_LAST, MAX_LAST]);
});

test('unknown paths are 404, other methods 405, files outside the page are never served', async () => {
  assert.equal((await fetch(`${base}/../package.json`)).status, 404);
  assert.equal((await fetch(`${base}/index.html`)).status, 404);
  assert.equal((await fetch(`${base}/api/mesh`, { method: 'POST' })).status, 405);
});

test('lastOf: a whole number 1..MAX_LAST, else the default', () => {
  const u = (q: string) => new URL(`http://x/api/flows${q}`);
  assert.equal(lastOf(u('')), DEFAULT_LAST);
  assert.equal(lastOf(u('?last=0')), DEFAULT_LAST);
  assert.equal(lastOf(u('?last=2.5')), DEFAULT_LAST);
  assert.equal(lastOf(u('?last=7')), 7);
});

test('a source that fails answers 500 with its message', async () => {
  const broken = await startUiServer({ address: '127.0.0.1', port: 0, logger: silentLogger, sources: { mesh: () => Promise.reject(new Error('etcd unavailable')), flows: () => Promise.reject(new Error('x')) } });
  try {
    const res = await fetch(`http://127.0.0.1:${broken.port}/api/mesh`);
    assert.equal(res.status, 500);
    assert.match(await res.text(), /etcd unavailable/);
  } finally {
    await broken.close();
  }
});
