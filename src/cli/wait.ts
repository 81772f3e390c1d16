/**
 * `weft wait --for=condition=Ready pod (-l k=v | NAME) [-n NS] [--timeout 90s]`,
 * like `kubectl wait`: polls until every selected pod is Running (a lab pod
 * is Ready once its process runs), then prints `pod/NAME condition met` for
 * each. Until a pod matches it keeps waiting (the operator may not have
 * created the workload's pods yet); on timeout it names the pods not ready.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { keys } from '../kvstore/keys.ts';
import { tryParseJson } from '../kvstore/json.ts';
import { resolveKindName } from '../model/kindRegistry.ts';
import { listResources } from '../model/resourceStore.ts';
import { PodStatus } from '../model/state.ts';
import { parseDuration } from '../util/duration.ts';
import { parseSelector } from './get.ts';
import { withKv } from './kv.ts';

export interface PodReadiness {
  readonly name: string;
  readonly phase: string;
}

/** undefined while waiting; the pod names once at least one pod is selected and every one is Running. */
export function readyPods(pods: readonly PodReadiness[]): string[] | undefined {
  if (pods.length === 0 || pods.some((p) => p.phase !== 'Running')) return undefined;
  return pods.map((p) => p.name).sort();
}

export function parseWaitFor(text: string): 'Ready' {
  const m = /^condition=(\w+)$/i.exec(text);
  if (m?.[1]?.toLowerCase() !== 'ready') throw new WeftError(ErrorCode.InvalidInput, `--for "${text}": only condition=Ready is supported`);
  return 'Ready';
}

async function selectedPods(kv: KvBackend, namespace: string, selector: Record<string, string>, name: string | undefined): Promise<PodReadiness[]> {
  const pods = (await listResources(kv, 'pods', namespace)).filter(
    (p) => (name === undefined || p.metadata.name === name) && Object.entries(selector).every(([k, v]) => p.metadata.labels[k] === v),
  );
  const out: PodReadiness[] = [];
  for (const p of pods) {
    const entry = await kv.get(keys.podStatus(namespace, p.metadata.name));
    const status = entry === undefined ? undefined : tryParseJson(PodStatus, entry.value);
    out.push({ name: p.metadata.name, phase: status?.phase ?? 'Pending' });
  }
  return out;
}

export function registerWait(program: Command): void {
  program
    .command('wait')
    .description('wait until pods are Ready, like kubectl wait --for=condition=Ready pod -l app=x')
    .requiredOption('--for <condition>', 'condition=Ready')
    .argument('<type>', 'pod (or pod/NAME)')
    .argument('[name]', 'one pod')
    .option('-l, --selector <labels>', 'label selector k=v[,k=v]')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--timeout <duration>', 'how long to wait (e.g. 90s, 2m)', '90s')
    .action(async (type: string, name: string | undefined, opts: { for: string; selector?: string; namespace: string; timeout: string }, cmd: Command) => {
      parseWaitFor(opts.for);
      const [kind, inline] = type.includes('/') ? type.split('/', 2) : [type, undefined];
      if (resolveKindName(kind ?? '').kind !== 'Pod') throw new WeftError(ErrorCode.InvalidInput, `weft wait ${type}: only pods can be waited for`);
      const podName = inline ?? name;
      if (podName === undefined && opts.selector === undefined) throw new WeftError(ErrorCode.InvalidInput, 'give a pod name or -l SELECTOR');
      const selector = parseSelector(opts.selector);
      const timeoutMs = parseDuration(opts.timeout);
      await withKv(cmd, async (kv) => {
        const deadline = Date.now() + timeoutMs;
        let last: PodReadiness[] = [];
        while (Date.now() < deadline) {
          last = await selectedPods(kv, opts.namespace, selector, podName);
          const ready = readyPods(last);
          if (ready !== undefined) {
            for (const n of ready) process.stdout.write(`pod/${n} condition met\n`);
            return;
          }
          await sleep(250);
        }
        const what = last.length === 0 ? 'no matching pods' : last.filter((p) => p.phase !== 'Running').map((p) => `pod/${p.name} is ${p.phase}`).join(', ');
        throw new WeftError(ErrorCode.Timeout, `timed out after ${opts.timeout} waiting for condition=Ready in namespace "${opts.namespace}": ${what}`);
      });
    });
}
