/**
 * `weft demo --kubernetes` runs end to end as a user would start it: two
 * Kubernetes-mode lab clusters (kube-c1, kube-c2) meshed, seed 000's echo
 * DaemonSet and seed 003's pods and policy applied with the real kubectl,
 * pod-to-pod and the global service across clusters, the stranger denied.
 * The checks are its summary lines (each one a check the demo made on what
 * answered), its exit code, and that kubectl sees what the demo says it
 * applied. WEFT_HOME and KUBECONFIG are temp; the labs are taken down after.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../../src/util/exec.ts';
import { KUBE_DEMO_CLUSTERS } from '../../src/cli/demo.ts';
import { netnsWithPrefix } from '../support/fixtures.ts';
import { kubeApiAvailable } from '../support/kubeApiRestartable.ts';
import { weft } from '../support/weft.ts';

describe('weft demo --kubernetes', { skip: kubeApiAvailable() ? false : 'no Kubernetes binaries (scripts/kube-bins.sh)' }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'wf-k4a-demo-'));
  const kubeconfig = path.join(home, 'user.kubeconfig');
  const env = { ...process.env, WEFT_HOME: home, KUBECONFIG: kubeconfig, NO_COLOR: '1' };
  const [c1, c2] = KUBE_DEMO_CLUSTERS.map((c) => c.name) as [string, string];
  let run: ReturnType<typeof weft> | undefined;
  const demo = (): ReturnType<typeof weft> => (run ??= weft(['demo', '--kubernetes'], env));

  after(async () => {
    for (const c of [c1, c2]) await weft(['lab', 'down', '--name', c], env);
    const left = existsSync(kubeconfig) ? readFileSync(kubeconfig, 'utf8') : '';
    rmSync(home, { recursive: true, force: true });
    for (const c of [c1, c2]) assert.deepEqual(await netnsWithPrefix(`wf-${c}_`), [], `${c}'s namespaces removed`);
    assert.doesNotMatch(left, /kube-c[12]/, 'lab down removed the kube contexts');
  });

  test('it exits 0 and every summary line is ✅', async () => {
    const res = await demo();
    const summary = res.stdout.split('==> Summary')[1] ?? '';
    assert.equal(res.code, 0, `${res.stdout.slice(-3000)}\n${res.stderr}`);
    const lines = summary.split('\n').filter((l) => /^(✅|❌) /.test(l));
    assert.equal(lines.length, 10, summary);
    assert.deepEqual(lines.filter((l) => l.startsWith('❌')), []);
    for (const what of [
      `the global service echo-1 was answered by pods of both ${c1} and ${c2}`,
      `policy: ${c2}'s employee (istio-space) answered PONG across clusters`,
      `policy: ${c1}'s stranger denied`,
    ]) {
      assert.ok(lines.includes(`✅ ${what}`), what);
    }
  });

  test('what the seeds apply went through kubectl and the API servers hold it', async () => {
    const res = await demo();
    assert.match(res.stdout, new RegExp(`^\\$ kubectl --context ${c1} apply -f \\S+/examples/seed-000/echo\\.yaml$`, 'm'));
    assert.match(res.stdout, new RegExp(`^\\$ kubectl --context ${c1} apply --validate=false -f \\S+/l4-policy\\.yaml$`, 'm'));
    assert.doesNotMatch(res.stdout, /^\$ weft --context \S+ apply /m, 'no weft apply in Kubernetes mode');
    const kubectl = (ctx: string, ...args: string[]): Promise<string> => exec('kubectl', ['--context', ctx, ...args], { env });
    assert.match(await kubectl(c1, 'get', 'ciliumnetworkpolicies', '-o', 'name'), /clustermesh-ingress-l4-policy/);
    for (const c of [c1, c2]) {
      const ds = JSON.parse(await kubectl(c, 'get', 'daemonset', 'echo-1', '-o', 'json')) as { status: { numberReady?: number } };
      assert.equal(ds.status.numberReady, 2, `${c}: echo-1 on both nodes`);
    }
    assert.match(await kubectl(c2, 'get', 'pods', '-n', 'istio-space', 'employee-0'), /employee-0\s+1\/1\s+Running/);
  });
});
