/**
 * `weft policy get [NAME] [-n NS | -A] [-o table|json|yaml]`: the network
 * policies of the cluster (CiliumNetworkPolicy and NetworkPolicy), with the
 * endpoints each selects and its rule counts per direction.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { WeftError, ErrorCode } from '../errors.ts';
import type { KvBackend } from '../kvstore/backend.ts';
import { cnpRules } from '../model/kinds/ciliumNetworkPolicy.ts';
import { npPolicyTypes } from '../model/kinds/networkPolicy.ts';
import { listResources } from '../model/resourceStore.ts';
import type { CiliumNetworkPolicy, NetworkPolicy } from '../model/resources.ts';
import { compileSelector, selectorSummary } from '../policy/selector.ts';
import { withKv } from './kv.ts';
import { formatAge, printColumns, printJson } from './output.ts';

export type PolicyObject = CiliumNetworkPolicy | NetworkPolicy;

export const POLICY_HEADER = ['NAMESPACE', 'NAME', 'KIND', 'SELECTS', 'INGRESS', 'EGRESS', 'AGE'] as const;

/** Rule count of a direction; "-" when the policy does not enforce it. */
function count(enforced: boolean, rules: number): string {
  return enforced ? String(rules) : '-';
}

export function policyRow(p: PolicyObject, now = Date.now()): string[] {
  const ns = p.metadata.namespace ?? 'default';
  const age = formatAge(p.metadata.creationTimestamp ?? '', now);
  if (p.kind === 'NetworkPolicy') {
    const types = npPolicyTypes(p.spec);
    const selects = selectorSummary(compileSelector(p.spec.podSelector));
    return [ns, p.metadata.name, p.kind, selects, count(types.ingress, p.spec.ingress?.length ?? 0), count(types.egress, p.spec.egress?.length ?? 0), age];
  }
  const rules = cnpRules(p).map((r) => r.rule);
  const ingress = rules.reduce((n, r) => n + (r.ingress?.length ?? 0), 0);
  const egress = rules.reduce((n, r) => n + (r.egress?.length ?? 0), 0);
  const selects = rules.map((r) => selectorSummary(compileSelector(r.endpointSelector))).join(' | ');
  return [ns, p.metadata.name, p.kind, selects, count(ingress > 0, ingress), count(egress > 0, egress), age];
}

/** Both kinds, sorted by namespace, name, kind; filtered by namespace (undefined = all) and name. */
export async function listPolicies(kv: KvBackend, namespace: string | undefined, name: string | undefined): Promise<PolicyObject[]> {
  const warn = (key: string, err: unknown): void => void process.stderr.write(`warning: skipping invalid policy at ${key}: ${String(err)}\n`);
  const all = [
    ...(await listResources(kv, 'ciliumnetworkpolicies', namespace, { onInvalid: warn })),
    ...(await listResources(kv, 'networkpolicies', namespace, { onInvalid: warn })),
  ].filter((r): r is PolicyObject => (r.kind === 'CiliumNetworkPolicy' || r.kind === 'NetworkPolicy') && (name === undefined || r.metadata.name === name));
  const id = (p: PolicyObject): string => `${p.metadata.namespace ?? ''}\u0000${p.metadata.name}\u0000${p.kind}`;
  return all.sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}

interface PolicyGetOptions {
  namespace: string;
  allNamespaces?: boolean;
  output: 'table' | 'json' | 'yaml';
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('network policies (CiliumNetworkPolicy and NetworkPolicy)');
  policy
    .command('get')
    .alias('list')
    .description('list network policies: the endpoints each selects and its ingress / egress rule counts ("-": direction not enforced)')
    .argument('[name]', 'one policy')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .action(async (name: string | undefined, opts: PolicyGetOptions, cmd: Command) => {
      await withKv(cmd, async (kv) => {
        const ns = opts.allNamespaces === true ? undefined : opts.namespace;
        const items = await listPolicies(kv, ns, name);
        if (name !== undefined && items.length === 0) throw new WeftError(ErrorCode.NotFound, `policy "${name}" not found${ns === undefined ? '' : ` in namespace "${ns}"`}`);
        if (opts.output === 'json') return printJson(items);
        if (opts.output === 'yaml') return void process.stdout.write(items.map((p) => stringify(p)).join('---\n'));
        if (items.length === 0) return void process.stderr.write(`No network policies found${ns === undefined ? '' : ` in ${ns} namespace`}.\n`);
        printColumns(POLICY_HEADER, items.map((p) => policyRow(p)));
      });
    });
}
