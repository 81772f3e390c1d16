import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileUnderRoot, requestPath, startStaticServer } from './staticServer.ts';

/** A raw request (fetch would normalise /../ away). */
function get(port: number, urlPath: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

void test('serves index.html for /, files by path, 301/403/404/405 like nginx, never outside the root', async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'weft-static-'));
  const root = path.join(base, 'html');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  mkdirSync(path.join(root, 'noindex'));
  writeFileSync(path.join(root, 'index.html'), '{"Galaxy": "Alderaan", "Cluster": "c1"}\n');
  writeFileSync(path.join(root, 'sub', 'data.json'), '{"a":1}');
  writeFileSync(path.join(base, 'secret.txt'), 'secret');
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'escape.txt'));
  const server = await startStaticServer({ root, ports: [0], host: '127.0.0.1' });
  const port = server.ports[0] ?? 0;
  try {
    const index = await get(port, '/');
    assert.equal(index.status, 200);
    assert.equal(index.body, '{"Galaxy": "Alderaan", "Cluster": "c1"}\n');
    assert.equal(index.headers['content-type'], 'text/html');
    assert.equal((await get(port, '/index.html?x=1')).body, '{"Galaxy": "Alderaan", "Cluster": "c1"}\n');
    const json = await get(port, '/sub/data.json');
    assert.equal(json.headers['content-type'], 'application/json');
    assert.equal(json.body, '{"a":1}');
    const redirect = await get(port, '/sub');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers['location'], '/sub/');
    assert.equal((await get(port, '/noindex/')).status, 403);
    assert.equal((await get(port, '/missing')).status, 404);
    assert.match((await get(port, '/missing')).body, /404 Not Found/);
    assert.equal((await get(port, '/../secret.txt')).status, 404);
    assert.equal((await get(port, '/%2e%2e/secret.txt')).status, 404);
    assert.equal((await get(port, '/escape.txt')).status, 404, 'a symlink may not lead out of the root');
    assert.equal((await get(port, '/', 'POST')).status, 405);
    const head = await get(port, '/', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    // Files are read per request: an edit is served at once.
    writeFileSync(path.join(root, 'index.html'), 'edited\n');
    assert.equal((await get(port, '/')).body, 'edited\n');
  } finally {
    await server.close();
    rmSync(base, { recursive: true, force: true });
  }
});

void test("without a root it serves nginx's welcome page", async () => {
  const server = await startStaticServer({ ports: [0], host: '127.0.0.1' });
  const port = server.ports[0] ?? 0;
  try {
    assert.match((await get(port, '/')).body, /Welcome to nginx!/);
    assert.equal((await get(port, '/other')).status, 404);
  } finally {
    await server.close();
  }
});

void test('path helpers', () => {
  assert.equal(requestPath('/a%20b?x=1'), '/a b');
  assert.equal(requestPath('/%E0%A4%A'), undefined);
  assert.equal(requestPath('/a%00b'), undefined);
  assert.equal(fileUnderRoot('/srv', '/a/b'), '/srv/a/b');
  assert.equal(fileUnderRoot('/srv', '/'), '/srv/');
  assert.equal(fileUnderRoot('/srv', '/../etc/passwd'), '/srv/etc/passwd', 'clamped at the root, as an absolute path normalizes');
});
