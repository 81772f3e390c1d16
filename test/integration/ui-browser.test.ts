/**
 * `weft ui` in a real browser (issue 13, the service map): two meshed lab
 * clusters with seed 000's echo-1 in both, `curl echo-1` from a pod of ui2
 * answered from both clusters, seed 003's stranger dropped by a policy that
 * lets only the curl client reach echo-1; then Debian's chromium opens the
 * page and checks what it shows — both clusters and their nodes, echo-1 with
 * backends in both clusters marked global, edges from curl to echo-1 in both
 * clusters in green, the stranger's edge in red, the remote connected — and
 * takes the screenshots in docs/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT, weftCommand } from '../../src/util/paths.ts';
import { upMeshedPair } from '../support/meshLab.ts';
import { runningPods, waitFor, weft, weftOk } from '../support/weft.ts';
import { launchChromium } from '../support/browser.ts';
import type { Browser } from '../support/browser.ts';

/** The page's computed style (evaluated in the browser; this project's lib has no DOM types). */
declare const getComputedStyle: (e: unknown) => { stroke: string };

const UI1 = 'ui1';
const UI2 = 'ui2';
const example = (p: string): string => readFileSync(path.join(PROJECT_ROOT, 'examples', p), 'utf8');

/**
 * Only ui2's curl client may reach echo-1, in either cluster (a selector
 * without a cluster label would match only the local cluster's pods): seed
 * 003's stranger is dropped at echo-1's ingress.
 */
const ONLY_CURL = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: echo-only-curl }
spec:
  endpointSelector: { matchLabels: { run: echo-1 } }
  ingress:
    - fromEndpoints: [{ matchLabels: { run: curl, io.cilium.k8s.policy.cluster: ui2 } }]
      toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;

/** Starts `weft ui` on a free loopback port; resolves with its URL once it prints it. */
function startUi(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const [bin, ...pre] = weftCommand();
  const child = spawn(bin ?? process.execPath, ['--no-warnings=ExperimentalWarning', ...pre, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`weft ui printed no URL within 20 s: ${out} ${err}`)), 20_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /available at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`weft ui exited ${code}: ${err}`));
    });
  });
}

/** `n` requests from `pod` (one exec): the answering clusters' names, one per answer. */
async function curlLoop(ctx: string, pod: string, n: number, env: NodeJS.ProcessEnv): Promise<string[]> {
  const loop = `for i in $(seq ${n}); do curl -sS --max-time 2 http://echo-1/ || true; echo; done`;
  const r = await weft(['--context', ctx, 'exec', pod, '--', 'sh', '-c', loop], env);
  return [...r.stdout.matchAll(/Cluster: (\S+)/g)].map((m) => m[1] ?? '');
}

const edge = (from: string, to: string, verdict: string): string => `path.edge[data-from="${from}"][data-to="${to}"][data-verdict="${verdict}"]`;

describe('weft ui: the service map in chromium', { concurrency: false }, () => {
  const home = mkdtempSync('/tmp/wf-ui-');
  const env = { ...process.env, WEFT_HOME: home };
  let ui: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    await upMeshedPair(
      env,
      { name: UI1, id: 249, nodes: 2, podCidr: '10.249.0.0/16', serviceCidr: '10.250.0.0/16' },
      { name: UI2, id: 253, nodes: 1, podCidr: '10.253.0.0/16', serviceCidr: '10.254.0.0/16' },
    );
    for (const c of [UI1, UI2]) await weftOk(['--context', c, 'apply', '-f', '-'], env, example('seed-000/echo.yaml'));
    await weftOk(['--context', UI2, 'apply', '-f', '-'], env, `${example('seed-000/curl.yaml')}\n---\n${example('seed-003/clients-cluster1.yaml')}`);
    await runningPods(UI1, env, 'run=echo-1', 2);
    await runningPods(UI2, env, 'run=echo-1', 1);
    await runningPods(UI2, env, 'run=curl', 1);
    await runningPods(UI2, env, 'app=stranger', 1);
    // seed 000: curl echo-1 from ui2, answered by both clusters.
    const bothAnswer = (): Promise<Set<string>> => waitFor('echo-1 answered from both clusters', async () => {
      const answered = new Set(await curlLoop(UI2, 'curl', 10, env));
      return answered.has(UI1) && answered.has(UI2) ? answered : undefined;
    }, 60_000, 1000);
    await bothAnswer();
    // seed 003: only the client allowed; the stranger is dropped wherever echo-1 answers.
    for (const c of [UI1, UI2]) await weftOk(['--context', c, 'apply', '-f', '-'], env, ONLY_CURL);
    await waitFor('the stranger dropped', async () => ((await curlLoop(UI2, 'stranger-0', 3, env)).length === 0 ? true : undefined), 30_000, 1000);
    await bothAnswer(); // the client still reaches both clusters
    ui = await startUi(env, ['--context', UI2, 'ui', '--address', '127.0.0.1', '--port', '0', '--all-clusters']);
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(ui.url);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    ui?.child.kill('SIGTERM');
    const down = await weft(['lab', 'down'], env);
    rmSync(home, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  });

  test('both clusters with their nodes; the remote connected', async () => {
    await page.waitForSelector('.card[data-cluster="ui1"] li[data-node]', { timeout: 10_000 });
    assert.equal(await page.locator('.card[data-cluster="ui1"] li[data-node]').count(), 2);
    assert.equal(await page.locator('.card[data-cluster="ui2"] li[data-node]').count(), 1);
    assert.match((await page.locator('.card[data-cluster="ui1"]').textContent()) ?? '', /id 249 · remote/);
    assert.match((await page.locator('.card[data-cluster="ui2"]').textContent()) ?? '', /id 253 · this cluster/);
    const remote = page.locator('tr[data-remote="ui1"]');
    assert.equal(await remote.getAttribute('data-connected'), 'true');
    assert.match((await remote.textContent()) ?? '', /✔ ui1.*connected, synced.*1\/1 nodes.*last sync \d+[sm] ago/);
  });

  test('echo-1: backends in both clusters, marked global', async () => {
    const row = (c: string) => page.locator(`#services tr[data-service="default/echo-1"][data-cluster="${c}"]`);
    assert.equal(await row(UI1).getAttribute('data-backends'), '2');
    assert.equal(await row(UI2).getAttribute('data-backends'), '1');
    assert.equal(await row(UI2).getAttribute('data-global'), 'true');
    assert.deepEqual(await page.locator('#services tr[data-service="default/echo-1"] .badge').allTextContents(), ['global', 'shared']);
  });

  test('the map: curl → echo-1 in both clusters in green, the stranger → echo-1 in red', async () => {
    // What the page polls, for a failure message that says what the agents answered.
    let last = '';
    await waitFor('curl → echo-1 in both clusters and a dropped stranger in /api/flows', async () => {
      const v = (await (await fetch(`${ui?.url ?? ''}/api/flows`)).json()) as { graph: { edges: { id: string; verdict: string }[] }; errors: string[] };
      last = JSON.stringify({ edges: v.graph.edges.map((e) => `${e.id} ${e.verdict}`), errors: v.errors });
      const has = (id: string, verdict: string): boolean => v.graph.edges.some((e) => e.id.startsWith(id) && e.verdict === verdict);
      return has('ui2/default/curl → ui1/default/echo-1', 'FORWARDED') && has('ui2/default/curl → ui2/default/echo-1', 'FORWARDED') && has('ui2/default/stranger → ', 'DROPPED') ? true : undefined;
    }, 20_000, 1000).catch((err: unknown) => assert.fail(`${String(err)}\nlast /api/flows: ${last}`));
    for (const c of [UI1, UI2]) await page.waitForSelector(edge('ui2/default/curl', `${c}/default/echo-1`, 'FORWARDED'), { state: 'attached', timeout: 5_000 }); // a level line has no height: 'visible' would never hold
    const dropped = page.locator(`path.edge[data-from="ui2/default/stranger"][data-verdict="DROPPED"]`);
    await dropped.first().waitFor({ state: 'attached', timeout: 20_000 });
    assert.match((await dropped.first().getAttribute('data-to')) ?? '', /^ui[12]\/default\/echo-1$/);
    assert.equal(await dropped.first().evaluate((e) => getComputedStyle(e).stroke), 'rgb(214, 39, 40)');
    const green = page.locator(edge('ui2/default/curl', 'ui1/default/echo-1', 'FORWARDED'));
    assert.equal(await green.evaluate((e) => getComputedStyle(e).stroke), 'rgb(26, 158, 63)');
    assert.equal(await page.locator('svg#map g.wl[data-id="ui1/default/echo-1"]').count(), 1);
    assert.match((await page.locator('#recent').textContent()) ?? '', /DROPPED \(POLICY_DENIED\)/);
    assert.match((await page.locator('#flow-summary').textContent()) ?? '', /3\/3 agents answered/);
    await page.screenshot({ path: path.join(PROJECT_ROOT, 'docs', 'ui-service-map.png') });
    await page.evaluate("document.getElementById('services-section').scrollIntoView()");
    await page.screenshot({ path: path.join(PROJECT_ROOT, 'docs', 'ui-flows.png') });
  });
});
