/**
 * The connectivity test's named checks and which of them a run executes
 * (`--test REGEX`, repeatable; a leading `!` excludes, as `cilium
 * connectivity test --test` does). Pure.
 */
import { WeftError, ErrorCode } from '../errors.ts';

export const CHECK_NAMES = [
  'pod-to-pod/same-node',
  'pod-to-pod/other-node',
  'pod-to-pod/other-cluster',
  'pod-to-service/local',
  'pod-to-service/global',
  'dns/local',
  'dns/global',
  'policy/allow',
  'policy/deny',
  'affinity/failover',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckInfo {
  readonly name: CheckName;
  readonly description: string;
  /** Needs a second cluster (--multi-cluster). */
  readonly multiCluster: boolean;
  /** Needs two nodes in the first cluster. */
  readonly twoNodes: boolean;
}

export const CHECKS: readonly CheckInfo[] = [
  { name: 'pod-to-pod/same-node', description: 'client → echo pod on the same node, by pod IP', multiCluster: false, twoNodes: false },
  { name: 'pod-to-pod/other-node', description: 'client → echo pod on another node, by pod IP', multiCluster: false, twoNodes: true },
  { name: 'pod-to-pod/other-cluster', description: 'client → echo pod in the other cluster, by pod IP', multiCluster: true, twoNodes: false },
  { name: 'pod-to-service/local', description: 'client → ClusterIP of a local service, answered by a local pod', multiCluster: false, twoNodes: false },
  { name: 'pod-to-service/global', description: 'client → global service, answered from both clusters', multiCluster: true, twoNodes: false },
  { name: 'dns/local', description: 'service names (<svc>, <svc>.<ns>, <svc>.<ns>.svc.cluster.local) resolve to the ClusterIP', multiCluster: false, twoNodes: false },
  { name: 'dns/global', description: '<svc>.<ns>.svc.clusterset.local resolves for a global service', multiCluster: true, twoNodes: false },
  { name: 'policy/allow', description: 'a CiliumNetworkPolicy lets the labelled client reach the echo port', multiCluster: false, twoNodes: false },
  { name: 'policy/deny', description: 'the same policy denies a client without the label', multiCluster: false, twoNodes: false },
  { name: 'affinity/failover', description: 'global service with affinity local: local answers, remote after the local backend is gone, local again once restored', multiCluster: true, twoNodes: false },
];

export interface SelectionInput {
  /** --test values: regular expressions; one starting with `!` excludes what it matches. */
  readonly patterns: readonly string[];
  readonly multiCluster: boolean;
  readonly nodes: number;
}

export type Planned = { readonly check: CheckInfo; readonly run: true } | { readonly check: CheckInfo; readonly run: false; readonly reason: string };

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `--test "${pattern}" is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** Whether `name` is selected by the --test patterns (none given: every check). */
export function matchesPatterns(name: string, patterns: readonly string[]): boolean {
  const include = patterns.filter((p) => !p.startsWith('!')).map(compile);
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => compile(p.slice(1)));
  if (exclude.some((re) => re.test(name))) return false;
  return include.length === 0 || include.some((re) => re.test(name));
}

/**
 * Every check with whether it runs: not selected by --test, or skipped for
 * want of a second cluster or node, are left out with the reason. A
 * selection that matches no check at all is an error naming the patterns.
 */
export function planChecks(input: SelectionInput): Planned[] {
  const selected = CHECKS.filter((c) => matchesPatterns(c.name, input.patterns));
  if (selected.length === 0) {
    throw new WeftError(ErrorCode.InvalidInput, `--test ${input.patterns.map((p) => `"${p}"`).join(' ')} matches no check; checks: ${CHECK_NAMES.join(', ')}`);
  }
  return selected.map((check): Planned => {
    if (check.multiCluster && !input.multiCluster) return { check, run: false, reason: 'needs a second cluster (--multi-cluster CONTEXT)' };
    if (check.twoNodes && input.nodes < 2) return { check, run: false, reason: `needs two nodes, the cluster has ${input.nodes}` };
    return { check, run: true };
  });
}
