/**
 * Results of the connectivity test's checks: one line per check (✅ ❌ ⏭️),
 * what was tried and what came back for a failed check, the closing summary
 * line and the `--output json` document. Pure.
 */
import type { CheckName } from './catalogue.ts';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

/** One thing a check tried: a command in a pod and what it gave. */
export interface ActionRecord {
  /** client (10.1.0.5) → echo-other-node (10.1.1.7:8080) */
  readonly description: string;
  readonly command: string;
  readonly ok: boolean;
  /** What came back (trimmed): the answer's first line, or the exit code and error. */
  readonly output: string;
  /** How many times in a row this command gave this answer (retries fold into one record). */
  readonly attempts: number;
}

export interface CheckResult {
  readonly name: CheckName;
  readonly description: string;
  readonly status: CheckStatus;
  readonly durationMs: number;
  /** Why a check was skipped or failed. */
  readonly reason?: string;
  readonly actions: readonly ActionRecord[];
}

export interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface ReportMeta {
  readonly context: string;
  readonly multiCluster: string | undefined;
  readonly namespace: string;
}

const MAX_OUTPUT = 300;

const MAX_ACTIONS = 12;

/** Keep an attempt; one that repeats the previous (same command, same answer) only counts up its attempts. */
export function recordAction(actions: ActionRecord[], a: ActionRecord): void {
  const last = actions.at(-1);
  if (last !== undefined && last.command === a.command && last.output === a.output && last.ok === a.ok) {
    actions[actions.length - 1] = { ...last, attempts: last.attempts + a.attempts };
    return;
  }
  actions.push(a);
  if (actions.length > MAX_ACTIONS) actions.splice(1, 1); // keep the first attempt and the latest ones
}

export function clip(text: string, max = MAX_OUTPUT): string {
  const t = text.trim().replace(/\s*\n\s*/g, ' | ');
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

const MARK: Record<CheckStatus, string> = { passed: '✅', failed: '❌', skipped: '⏭️ ' };

/** The lines printed for one check: the verdict, then for a failure what was tried and what came back. */
export function formatCheck(r: CheckResult): string[] {
  const secs = `${(r.durationMs / 1000).toFixed(1)}s`;
  const head = r.status === 'skipped' ? `${MARK.skipped} ${r.name}: skipped, ${r.reason ?? ''}` : `${MARK[r.status]} ${r.name} (${secs}): ${r.description}`;
  if (r.status !== 'failed') return [head];
  const lines = [head];
  if (r.reason !== undefined) lines.push(`     reason: ${r.reason}`);
  for (const { action: a, times } of distinctFailures(r.actions).slice(-3)) {
    lines.push(`     tried:  ${a.description}${times > 1 ? ` (${times} attempts)` : ''}: ${a.command}`, `     got:    ${clip(a.output)}`);
  }
  return lines;
}

/** Failed attempts, one per distinct command and answer, with how often each was seen (in first-seen order). */
export function distinctFailures(actions: readonly ActionRecord[]): { action: ActionRecord; times: number }[] {
  const seen = new Map<string, { action: ActionRecord; times: number }>();
  for (const a of actions.filter((x) => !x.ok)) {
    const key = `${a.command}\n${a.output}`;
    const prev = seen.get(key);
    if (prev === undefined) seen.set(key, { action: a, times: a.attempts });
    else prev.times += a.attempts;
  }
  return [...seen.values()];
}

export function summarize(results: readonly CheckResult[]): Summary {
  const count = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

/** ✅ All 8 checks passed, 2 skipped  |  ❌ 1/8 checks failed: policy/deny (2 skipped) */
export function summaryLine(results: readonly CheckResult[]): string {
  const s = summarize(results);
  const ran = s.passed + s.failed;
  const skipped = s.skipped === 0 ? '' : `, ${s.skipped} skipped`;
  if (s.failed === 0) return `✅ All ${ran} checks passed${skipped}`;
  const names = results.filter((r) => r.status === 'failed').map((r) => r.name);
  return `❌ ${s.failed}/${ran} checks failed: ${names.join(', ')}${skipped}`;
}

export function jsonReport(meta: ReportMeta, results: readonly CheckResult[]): object {
  return {
    context: meta.context,
    multiCluster: meta.multiCluster ?? null,
    namespace: meta.namespace,
    summary: summarize(results),
    results: results.map((r) => ({ name: r.name, status: r.status, description: r.description, durationMs: r.durationMs, reason: r.reason ?? null, actions: r.actions })),
  };
}
