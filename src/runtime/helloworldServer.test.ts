import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helloworldAnswer, helloworldVersion, startHelloworld } from './helloworldServer.ts';

const id = { version: 'v2', instance: 'helloworld-v2-abcde' };

void test('GET /hello names the version and the instance; /health; others 404', () => {
  assert.deepEqual(helloworldAnswer(id, 'GET', '/hello'), { status: 200, body: 'Hello version: v2, instance: helloworld-v2-abcde\n' });
  assert.deepEqual(helloworldAnswer(id, 'GET', '/hello?x=1'), { status: 200, body: 'Hello version: v2, instance: helloworld-v2-abcde\n' });
  assert.equal(helloworldAnswer(id, 'GET', '/health').body, 'Helloworld is healthy');
  assert.equal(helloworldAnswer(id, 'GET', '/').status, 404);
  assert.equal(helloworldAnswer(id, 'POST', '/hello').status, 405);
});

void test('the version comes from the image name, SERVICE_VERSION wins', () => {
  assert.equal(helloworldVersion('istio/examples-helloworld-v1', undefined), 'v1');
  assert.equal(helloworldVersion('istio/examples-helloworld-v2', ''), 'v2');
  assert.equal(helloworldVersion('istio/examples-helloworld-v1', 'v3'), 'v3');
  assert.equal(helloworldVersion('istio/helloworld', undefined), 'v1');
});

void test('the server answers over HTTP on loopback', async () => {
  const s = await startHelloworld(id, [0], '127.0.0.1');
  try {
    const res = await fetch(`http://127.0.0.1:${s.ports[0]}/hello`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'Hello version: v2, instance: helloworld-v2-abcde\n');
  } finally {
    await s.close();
  }
});
