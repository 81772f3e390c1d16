/**
 * The baseline the services benchmark runs beside Weft: the ruleset
 * kube-proxy's iptables mode writes for ClusterIP services, as one
 * `iptables-restore` input for the nat table. KUBE-SERVICES holds one rule
 * per service port (so a new connection walks it linearly), each jumping to
 * KUBE-SVC-* (one `statistic` rule per backend) and KUBE-SEP-* (hairpin mark
 * + DNAT). Applied with iptables-nft-restore or iptables-legacy-restore.
 */
import { exec } from '../../src/util/exec.ts';

export interface BaselineService {
  vip: string;
  port: number;
  backends: { ip: string; port: number }[];
}

export type IptablesFlavour = 'nft' | 'legacy';

const id = (n: number): string => n.toString(16).toUpperCase().padStart(12, '0');

/** The nat table for `services`, in order (the first is matched first). */
export function iptablesRuleset(services: readonly BaselineService[]): string {
  const chains = [':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':KUBE-SERVICES - [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':KUBE-POSTROUTING - [0:0]'];
  const rules = [
    '-A PREROUTING -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-SERVICES',
    '-A POSTROUTING -j KUBE-POSTROUTING',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE',
  ];
  let sep = 0;
  services.forEach((s, i) => {
    const svc = `KUBE-SVC-${id(i)}`;
    chains.push(`:${svc} - [0:0]`);
    rules.push(`-A KUBE-SERVICES -d ${s.vip}/32 -p tcp -m comment --comment "bench/svc-${i}:p${s.port} cluster IP" -m tcp --dport ${s.port} -j ${svc}`);
    s.backends.forEach((b, j) => {
      const ep = `KUBE-SEP-${id(sep++)}`;
      chains.push(`:${ep} - [0:0]`);
      const left = s.backends.length - j;
      const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(10)} ` : '';
      rules.push(`-A ${svc} ${pick}-j ${ep}`);
      rules.push(`-A ${ep} -s ${b.ip}/32 -j KUBE-MARK-MASQ`);
      rules.push(`-A ${ep} -p tcp -m tcp -j DNAT --to-destination ${b.ip}:${b.port}`);
    });
  });
  return ['*nat', ...chains, ...rules, 'COMMIT', ''].join('\n');
}

const EMPTY_NAT = '*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n';

/** Replace the nat table of `netns` with `ruleset` (one restore). */
export async function restoreIptables(netns: string, flavour: IptablesFlavour, ruleset: string): Promise<void> {
  await exec('ip', ['netns', 'exec', netns, `iptables-${flavour}-restore`], { input: ruleset, timeoutMs: 300_000 });
}

/** Empty the nat table again (and, for iptables-nft, delete the `ip nat` nft table it created). */
export async function clearIptables(netns: string, flavour: IptablesFlavour): Promise<void> {
  await restoreIptables(netns, flavour, EMPTY_NAT);
  if (flavour === 'nft') await exec('ip', ['netns', 'exec', netns, 'nft', 'delete', 'table', 'ip', 'nat'], { okCodes: [0, 1] });
}
