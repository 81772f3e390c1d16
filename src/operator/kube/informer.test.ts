import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Watch } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../../util/log.ts';
import { startKubeInformer, type KubeInformer } from './informer.ts';

type Step = (cb: (phase: string, obj: unknown) => void, done: (err: unknown) => void) => void;

/** A Watch whose calls follow `steps` in order (one per watch call, across generations); records the resourceVersions asked for. */
function fakeWatch(steps: Step[], asked: string[]): () => Watch {
  return () =>
    ({
      watch: (_path: string, params: { resourceVersion?: string }, cb: (phase: string, obj: unknown) => void, done: (err: unknown) => void) => {
        asked.push(params.resourceVersion ?? '');
        const step = steps.shift();
        setImmediate(() => (step ?? (() => undefined))(cb, done));
        return Promise.resolve(new AbortController());
      },
    }) as unknown as Watch;
}

const obj = (name: string, rv: string) => ({ metadata: { name, namespace: 'default', resourceVersion: rv } });
const names = (i: KubeInformer) => i.list().map((o) => o.metadata?.name).sort();
const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};
const logger = createLogger({ component: 'test', level: 'error' });
const spec = { name: 'services', path: '/api/v1/services', apiVersion: 'v1', kind: 'Service' };

void test('list, then watch from the list resourceVersion; a 410 Gone ERROR event makes it relist (objects gone meanwhile vanish)', async () => {
  const lists = [
    { metadata: { resourceVersion: '10' }, items: [obj('a', '5'), obj('b', '6')] },
    { metadata: { resourceVersion: '30' }, items: [obj('a', '5')] },
  ];
  const asked: string[] = [];
  let changes = 0;
  const i = startKubeInformer({
    kc: new KubeConfig(),
    spec,
    logger,
    onChange: () => changes++,
    list: () => Promise.resolve(lists.shift() ?? { metadata: { resourceVersion: '30' }, items: [obj('a', '5')] }),
    makeWatch: fakeWatch(
      [
        (cb, done) => {
          cb('ADDED', obj('c', '11'));
          cb('ERROR', { code: 410, message: 'too old resource version' });
          done(null);
        },
      ],
      asked,
    ),
  });
  await i.synced;
  await until(() => i.stats().lists === 2 && names(i).join() === 'a', `relisted: ${JSON.stringify(i.stats())} ${names(i).join()}`);
  assert.deepEqual(asked.slice(0, 2), ['10', '30']);
  assert.equal(i.stats().generations, 1);
  assert.ok(changes > 0);
  await i.stop();
});

void test('an error (connection refused) restarts it after a backoff as a new generation that lists again; the old objects serve until then', async () => {
  let listed = 0;
  const asked: string[] = [];
  const i = startKubeInformer({
    kc: new KubeConfig(),
    spec,
    logger,
    onChange: () => undefined,
    minBackoffMs: 50,
    list: () => {
      listed++;
      return listed === 1 ? Promise.resolve({ metadata: { resourceVersion: '10' }, items: [obj('a', '5'), obj('b', '6')] }) : listed === 2 ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve({ metadata: { resourceVersion: '50' }, items: [obj('b', '6')] });
    },
    makeWatch: fakeWatch([(_cb, done) => done(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }))], asked),
  });
  await i.synced;
  assert.deepEqual(names(i), ['a', 'b']);
  await until(() => i.stats().generations === 3 && names(i).join() === 'b', `resynced: ${JSON.stringify(i.stats())} ${names(i).join()}`);
  assert.equal(i.stats().errors, 2);
  assert.equal(asked[0], '10');
  await i.stop();
});
