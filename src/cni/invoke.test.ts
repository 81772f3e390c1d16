import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findPlugin, invokeChain, pluginConfig } from './invoke.ts';
import type { CniInvokeRequest } from './invoke.ts';
import { isWeftError } from '../errors.ts';

interface Call {
  type: string;
  cmd: string;
  args: string;
  conf: Record<string, unknown>;
}

/** A temp CNI_PATH with a fake plugin that logs its invocation and appends conf.addr to prevResult.ips. */
function fakePlugins(t: { after(fn: () => void): void }): { dir: string; calls(): Call[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-invoke-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'calls.log');
  const script = `#!${process.execPath}
const fs = require('fs');
const conf = JSON.parse(fs.readFileSync(0, 'utf8'));
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ type: conf.type, cmd: process.env.CNI_COMMAND, args: process.env.CNI_ARGS, conf }) + '\\n');
if (conf.fail) { process.stdout.write(JSON.stringify({ cniVersion: conf.cniVersion, code: 7, msg: 'bad thing', details: 'more' })); process.exit(1); }
if (conf.crash) { process.stderr.write('segfault-ish'); process.exit(2); }
if (process.env.CNI_COMMAND === 'ADD') {
  const prev = conf.prevResult ?? { cniVersion: conf.cniVersion, ips: [] };
  prev.ips = [...prev.ips, { address: conf.addr }];
  process.stdout.write(JSON.stringify(prev));
}
`;
  for (const name of ['first', 'second']) {
    writeFileSync(path.join(dir, name), script);
    chmodSync(path.join(dir, name), 0o755);
  }
  return {
    dir,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Call),
  };
}

const list = (plugins: object[]) => ({ cniVersion: '1.0.0', name: 'testnet', plugins });

function req(dir: string, command: CniInvokeRequest['command']): CniInvokeRequest {
  return { command, containerId: 'c1', netns: '/var/run/netns/x', ifName: 'eth0', args: { K8S_POD_NAME: 'p1', K8S_POD_NAMESPACE: 'default' }, cniPath: ['/nonexistent', dir] };
}

test('ADD chains prevResult in order; DEL runs in reverse with the cached result; CHECK in order', async (t) => {
  const f = fakePlugins(t);
  const chain = list([{ type: 'first', addr: '10.0.0.1/32' }, { type: 'second', addr: '10.0.0.2/32' }]);
  const result = await invokeChain(chain, req(f.dir, 'ADD'));
  assert.deepEqual(result?.ips, [{ address: '10.0.0.1/32' }, { address: '10.0.0.2/32' }]);
  await invokeChain(chain, req(f.dir, 'CHECK'), result);
  await invokeChain(chain, req(f.dir, 'DEL'), result);
  const calls = f.calls();
  assert.deepEqual(calls.map((c) => `${c.cmd}:${c.type}`), ['ADD:first', 'ADD:second', 'CHECK:first', 'CHECK:second', 'DEL:second', 'DEL:first']);
  assert.equal(calls[0]?.conf['name'], 'testnet');
  assert.equal(calls[0]?.conf['cniVersion'], '1.0.0');
  assert.equal(calls[0]?.conf['prevResult'], undefined);
  assert.deepEqual((calls[1]?.conf['prevResult'] as { ips: unknown[] }).ips, [{ address: '10.0.0.1/32' }]);
  assert.deepEqual(calls[4]?.conf['prevResult'], result);
  assert.equal(calls[0]?.args, 'K8S_POD_NAME=p1;K8S_POD_NAMESPACE=default');
});

test('plugin errors become WeftError(CniError) with the plugin code and msg', async (t) => {
  const f = fakePlugins(t);
  await assert.rejects(invokeChain(list([{ type: 'first', fail: true }]), req(f.dir, 'ADD')), (e: unknown) => {
    assert.ok(isWeftError(e, 'CniError'));
    assert.equal(e.details?.['cniCode'], 7);
    assert.match(e.message, /first ADD failed \(code 7\): bad thing: more/);
    return true;
  });
  await assert.rejects(invokeChain(list([{ type: 'first', crash: true }]), req(f.dir, 'DEL')), /exit 2\): segfault-ish/);
  await assert.rejects(invokeChain(list([{ type: 'first' }]), req(f.dir, 'CHECK')), /needs the cached ADD result/);
});

test('plugin lookup and capability injection', (t) => {
  const f = fakePlugins(t);
  assert.equal(findPlugin('second', ['/nonexistent', f.dir]), path.join(f.dir, 'second'));
  assert.throws(() => findPlugin('missing', [f.dir]), (e: unknown) => isWeftError(e, 'CniError') && e.message.includes('"missing"'));
  const plugin = { type: 'portmap', capabilities: { portMappings: true, bandwidth: false } };
  const pm = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }];
  const conf = pluginConfig(list([plugin]), plugin, { ...req(f.dir, 'ADD'), capabilityArgs: { portMappings: pm, bandwidth: { ingressRate: 1 } } }, undefined);
  assert.deepEqual(conf['runtimeConfig'], { portMappings: pm });
});
