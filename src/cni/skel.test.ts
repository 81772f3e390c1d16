import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnv, parseCniArgs, podOf, validIfName } from './skel.ts';
import { toCniErrorResult, CniCode } from './codes.ts';

const base = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'abc123', CNI_NETNS: '/var/run/netns/p1', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin:/usr/lib/cni' };

function cniCodeOf(fn: () => unknown): { code: number; msg: string } {
  try {
    fn();
  } catch (err) {
    return toCniErrorResult(err, '1.0.0');
  }
  assert.fail('expected an error');
}

test('parses a full ADD environment', () => {
  const inv = parseEnv({ ...base, CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0' });
  assert.equal(inv.command, 'ADD');
  assert.equal(inv.containerId, 'abc123');
  assert.equal(inv.netns, '/var/run/netns/p1');
  assert.deepEqual(inv.path, ['/opt/cni/bin', '/usr/lib/cni']);
  assert.deepEqual(podOf(inv.args), { podNamespace: 'default', podName: 'web-0' });
});

test('DEL does not need CNI_NETNS, VERSION needs nothing', () => {
  assert.equal(parseEnv({ ...base, CNI_COMMAND: 'DEL', CNI_NETNS: '' }).netns, '');
  assert.equal(parseEnv({ CNI_COMMAND: 'VERSION' }).command, 'VERSION');
  assert.equal(parseEnv({ CNI_COMMAND: 'GC' }).command, 'GC');
});

test('missing or invalid variables are code 4 naming the variable and value', () => {
  const cases: [Record<string, string>, string][] = [
    [{ ...base, CNI_COMMAND: '' }, 'CNI_COMMAND'],
    [{ ...base, CNI_COMMAND: 'FROB' }, '"FROB"'],
    [{ ...base, CNI_NETNS: '' }, 'CNI_NETNS'],
    [{ ...base, CNI_CONTAINERID: '-bad' }, '"-bad"'],
    [{ ...base, CNI_IFNAME: 'much-too-long-name0' }, '"much-too-long-name0"'],
    [{ ...base, CNI_ARGS: 'novalue' }, '"novalue"'],
  ];
  for (const [env, needle] of cases) {
    const e = cniCodeOf(() => parseEnv(env));
    assert.equal(e.code, CniCode.InvalidEnv, needle);
    assert.ok(e.msg.includes(needle), `${e.msg} should name ${needle}`);
  }
});

test('CNI_ARGS and interface names', () => {
  assert.deepEqual(parseCniArgs('A=1;B=x=y;'), { A: '1', B: 'x=y' });
  assert.ok(validIfName('eth0'));
  for (const bad of ['', '.', '..', 'a/b', 'a:b', 'a b', 'x'.repeat(16)]) assert.ok(!validIfName(bad), bad);
});
