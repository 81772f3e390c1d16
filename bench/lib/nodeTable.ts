/**
 * A node's whole table `inet weft` as the agent syncs it (bench/services.ts):
 * 10k services × 5 backends, every backend in the ipcache, 100 local
 * endpoints enforcing an ingress policy; and the change of one backend pod
 * (new IP: its service and its ipcache entry change in the same sync).
 */
import type { Frontend } from '../../src/datapath/services/serviceTypes.ts';
import { compileServices } from '../../src/datapath/services/servicesCompile.ts';
import { compileIpcache } from '../../src/datapath/policy/ipcache.ts';
import { compilePolicySets } from '../../src/datapath/policy/policyCompile.ts';
import type { NftTableDesired } from '../../src/datapath/nft/tablePlan.ts';
import type { EndpointPolicy } from '../../src/policy/types.ts';
import { UNENFORCED } from '../../src/policy/types.ts';

const octets = (base: number, n: number): string => `10.${base + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;

export interface NodeInputs {
  readonly frontends: readonly Frontend[];
  readonly endpoints: readonly { readonly ip: string; readonly identity: number }[];
  readonly policies: readonly EndpointPolicy[];
}

export function nodeInputs(services = 10_000, each = 5, local = 100): NodeInputs {
  const frontends: Frontend[] = [];
  const endpoints: { ip: string; identity: number }[] = [];
  for (let i = 0; i < services; i++) {
    const backends = Array.from({ length: each }, (_, j) => ({ ip: octets(200, i * each + j), port: 8080, cluster: 'bench', preferred: true }));
    for (const b of backends) endpoints.push({ ip: b.ip, identity: 0x10000 + (i % 500) });
    frontends.push({ namespace: 'bench', name: `svc-${i}`, clusterIP: octets(100, i), port: 80, protocol: 'TCP', backends, allBackends: backends });
  }
  const policies: EndpointPolicy[] = endpoints.slice(0, local).map((e, i) => ({
    namespace: 'bench',
    pod: `p${i}`,
    ip: e.ip,
    identity: e.identity,
    ingress: { enforced: true, allowAll: false, l3: [0x10001], l4: [{ identity: 0x10002, proto: 'tcp', port: 6379 }, { identity: 0x10003, proto: 'tcp', port: 8080 }], l4Any: [{ proto: 'tcp', port: 80 }] },
    egress: UNENFORCED,
  }));
  return { frontends, endpoints, policies };
}

/** Backend 2 of service 1234 + i·1000 restarted with a new IP: its service and its ipcache entry change. */
export function changeBackend(s: NodeInputs, i: number): NodeInputs {
  const n = 1234 + i * 1000;
  const ip = octets(210, i);
  const old = s.frontends[n]?.backends[2]?.ip;
  const frontends = s.frontends.map((f, j) => (j === n ? { ...f, backends: f.backends.map((b, k) => (k === 2 ? { ...b, ip } : b)) } : f));
  const endpoints = s.endpoints.map((e) => (e.ip === old ? { ...e, ip } : e));
  return { frontends, endpoints, policies: s.policies };
}

/** Compile the inputs as the agent's DatapathSync does. */
export function nodeTable(s: NodeInputs, selfIp: string): NftTableDesired {
  return { services: compileServices(s.frontends), ipcache: compileIpcache(s.endpoints, { selfIp, nodeIps: [] }), policy: compilePolicySets(s.policies).endpoints };
}
