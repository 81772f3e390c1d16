/**
 * No hangs: the real `weft` CLI against a real etcd (mTLS on 127.0.0.1) that
 * is frozen (SIGSTOP to its recorded PID), then stopped (connection refused),
 * must exit non-zero within --request-timeout (default 5s) plus start-up,
 * naming the endpoint. And etcd's RBAC denial reads as a permission error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { weftCommand } from '../../src/util/paths.ts';
import { exec } from '../../src/util/exec.ts';
import { startTestEtcd, type TestEtcd } from '../support/etcd.ts';
import { makeTestEtcdCerts, type TestEtcdCerts } from '../support/etcdCerts.ts';

/** Start-up of the CLI (Node, TypeScript) and exit, on a loaded 2-core machine. */
const SLACK_MS = 4000;
/** A run still going after this is a hang: it is killed (by its PID) and the test fails. */
const HANG_MS = 40_000;

interface TimedRun {
  code: number;
  stderr: string;
  ms: number;
  killed: boolean;
}

/** Run the real CLI, killing it (by the PID we spawned) if it hangs. */
function weftTimed(args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<TimedRun> {
  const [bin, ...pre] = weftCommand();
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(bin ?? process.execPath, ['--no-warnings=ExperimentalWarning', ...pre, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, HANG_MS);
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stderr: Buffer.concat(err).toString(), ms: Date.now() - t0, killed });
    });
    child.stdin.end(input);
  });
}

let dir = '';
let certs: TestEtcdCerts;
let etcd: TestEtcd;
let env: NodeJS.ProcessEnv;
let frozen = false;

const etcdctl = (args: readonly string[], cn = 'root'): Promise<string> =>
  exec('etcdctl', ['--endpoints', etcd.endpoint, '--cacert', certs.caFile, '--cert', path.join(dir, `${cn}.pem`), '--key', path.join(dir, `${cn}.key`), '--command-timeout=4s', ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
    timeoutMs: 10_000,
  });

function assertBoundedFailure(r: TimedRun, limitMs: number, why: RegExp): void {
  assert.equal(r.killed, false, `weft hung: killed after ${HANG_MS} ms; stderr: ${r.stderr}`);
  assert.notEqual(r.code, 0, r.stderr);
  assert.ok(r.ms < limitMs + SLACK_MS, `weft took ${r.ms} ms (limit ${limitMs} ms + ${SLACK_MS} ms start-up); stderr: ${r.stderr}`);
  assert.ok(r.stderr.includes(`etcd at ${etcd.endpoint}`), `stderr does not name the endpoint ${etcd.endpoint}: ${r.stderr}`);
  assert.match(r.stderr, why);
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'weft-test-reqtimeout-'));
  certs = await makeTestEtcdCerts(dir, { serverIps: ['127.0.0.1'], clientCns: ['root'] });
  etcd = await startTestEtcd({ tls: { caFile: certs.caFile, certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const context = { name: 'hg1', cluster: 'hg1', endpoints: [etcd.endpoint], tls: { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile } };
  writeFileSync(path.join(home, 'config.json'), JSON.stringify({ currentContext: 'hg1', contexts: [context] }));
  env = { ...process.env, WEFT_HOME: home };
});

after(async () => {
  if (frozen) process.kill(etcd.pid, 'SIGCONT');
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
});

void describe('weft against an etcd that does not answer', () => {
  void it('answers normally while etcd is up', async () => {
    const r = await weftTimed(['get', 'pods'], env);
    assert.equal(r.code, 0, r.stderr);
  });

  void it('frozen etcd (SIGSTOP): fails within --request-timeout, before or after the subcommand, and by default', async () => {
    process.kill(etcd.pid, 'SIGSTOP');
    frozen = true;
    try {
      assertBoundedFailure(await weftTimed(['--request-timeout', '2s', 'get', 'pods'], env), 2000, /did not answer within 2s \(list weft\/resources\/pods\/default\//);
      assertBoundedFailure(await weftTimed(['status', '--request-timeout', '1500ms'], env), 1500, /did not answer within 1\.5s \((get|list) weft\//);
      assertBoundedFailure(await weftTimed(['get', 'pods'], env), 5000, /did not answer within 5s/);
      const manifest = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: hang-x\n';
      assertBoundedFailure(await weftTimed(['apply', '-f', '-', '--request-timeout', '2s'], env, manifest), 2000, /did not answer within 2s/);
      assertBoundedFailure(
        await weftTimed(['clustermesh', 'status', '--wait', '--wait-duration', '1m', '--request-timeout', '2s'], env),
        2000,
        /did not answer within 2s/,
      );
    } finally {
      process.kill(etcd.pid, 'SIGCONT');
      frozen = false;
    }
    assert.equal((await weftTimed(['get', 'pods'], env)).code, 0, 'weft works again once etcd runs');
  });

  void it('stopped etcd (connection refused): fails at once naming the endpoint', async () => {
    await etcd.pause();
    try {
      assertBoundedFailure(await weftTimed(['get', 'pods', '--request-timeout', '2s'], env), 2000, /is unavailable \(list weft\/resources\/pods\/default\/: .*ECONNREFUSED/);
      assertBoundedFailure(await weftTimed(['get', 'pods'], env), 5000, /is unavailable/);
    } finally {
      await etcd.resume();
    }
  });

  void it('an RBAC denial is a permission error naming the operation and key, not "unavailable"', async () => {
    await etcdctl(['user', 'add', 'root', '--no-password']);
    await etcdctl(['user', 'grant-role', 'root', 'root']);
    await etcdctl(['user', 'add', 'weft-client', '--no-password']);
    await etcdctl(['role', 'add', 'pods-reader']);
    await etcdctl(['role', 'grant-permission', 'pods-reader', 'read', 'weft/resources/pods/', '--prefix=true']);
    await etcdctl(['role', 'grant-permission', 'pods-reader', 'read', 'weft/status/pods/', '--prefix=true']);
    await etcdctl(['user', 'grant-role', 'weft-client', 'pods-reader']);
    await etcdctl(['auth', 'enable']);
    try {
      const ok = await weftTimed(['get', 'pods'], env);
      assert.equal(ok.code, 0, `the granted prefix is readable: ${ok.stderr}`);
      const r = await weftTimed(['get', 'services'], env);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error \(PermissionDenied\): etcd at https:\/\/127\.0\.0\.1:\d+ refused list weft\/resources\/services\/default\/: permission denied by etcd RBAC/);
      assert.ok(r.stderr.includes(certs.clientCertFile), r.stderr);
      assert.doesNotMatch(r.stderr, /unavailable/);
    } finally {
      await etcdctl(['auth', 'disable']);
    }
  });
});
