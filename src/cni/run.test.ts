import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCni, stdinFailure, versionOf } from './run.ts';
import type { PluginEffects } from './run.ts';

const none = {} as PluginEffects;

test('success: the result as one JSON line, exit 0', async () => {
  const out = await runCni({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.1.0"}', none);
  assert.equal(out.code, 0);
  assert.equal(out.stderr, '');
  assert.deepEqual(JSON.parse(out.stdout), { cniVersion: '1.1.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  assert.ok(out.stdout.endsWith('}\n'));
});

test('failure: the spec error in the configuration\'s cniVersion, a diagnostic line, exit 1', async () => {
  const out = await runCni({ CNI_COMMAND: 'FLY' }, '{"cniVersion":"0.4.0"}', none);
  assert.equal(out.code, 1);
  assert.deepEqual(JSON.parse(out.stdout), { cniVersion: '0.4.0', code: 4, msg: 'CNI_COMMAND "FLY" is not one of ADD, DEL, CHECK, VERSION, STATUS, GC' });
  assert.equal(out.stderr, 'weft-cni: FLY failed (code 4): CNI_COMMAND "FLY" is not one of ADD, DEL, CHECK, VERSION, STATUS, GC\n');
  assert.equal(versionOf('not json'), '1.0.0');
  const io = stdinFailure({ CNI_COMMAND: 'ADD' }, 'EIO');
  assert.deepEqual([io.code, (JSON.parse(io.stdout) as { code: number }).code], [1, 5]);
});
