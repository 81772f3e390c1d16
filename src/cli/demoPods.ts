/**
 * What the demo asks of pods (listed by demoClient.ts through weft or
 * kubectl): who answered an HTTP request (the echo server names the pod that
 * served it), by `weft exec` in either mode.
 */
import type { Runbook } from './runbook.ts';

export interface PodView {
  metadata: { name: string; namespace: string };
  spec: { nodeName?: string };
  status: { phase: string; podIP?: string } | null;
}

/** `curl` from one pod to another by IP: true when the target's echo server answered. */
export async function curlCheck(book: Runbook, ctx: string, from: PodView, to: PodView): Promise<boolean> {
  const res = await book.weft(['--context', ctx, 'exec', from.metadata.name, '--', 'curl', '-sS', '--max-time', '5', `http://${to.status?.podIP}:8080/`], { allowFail: true });
  return res.code === 0 && res.stdout.includes(`Request served by ${to.metadata.name}`);
}

/** The pod names in "Request served by <pod>" lines, in order. */
export function servedBy(output: string): string[] {
  return [...output.matchAll(/^Request served by (\S+)/gm)].map((m) => m[1] ?? '');
}

/** `curl URL` `times` times from one pod (one exec, a shell loop): who served each request. */
export async function curlRepeatedly(book: Runbook, ctx: string, from: PodView, url: string, times: number): Promise<string[]> {
  const loop = `for i in $(seq 1 ${times}); do curl -sS --max-time 3 ${url} | head -n 1; done`;
  const res = await book.weft(['--context', ctx, 'exec', from.metadata.name, '--', 'sh', '-c', loop], { allowFail: true, quiet: true });
  return servedBy(res.stdout);
}
