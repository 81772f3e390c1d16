/**
 * Compile Weft's nftables table `inet weft` (pure). Returns one `nft -f`
 * transaction: declare the table and its objects (`add` is idempotent), flush
 * the static chains, write their rules again. Named counters live outside the
 * chains, so rewriting a chain never resets them. Maps and sets are declared
 * here but never flushed: their elements are owned by the one table applier
 * (tableApplier.ts) and updated element by element; the drop sets are filled
 * by the datapath itself. See ../README.md.
 */
export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'weft';

/** Named counters and what they count. */
export const NFT_COUNTERS = {
  forwarded: 'every packet the node forwards (pod traffic, both directions)',
  'policy-drops-ingress': 'packets dropped by the ingress policy of a local endpoint',
  'policy-drops-egress': 'packets dropped by the egress policy of a local endpoint',
} as const;

/** The ipcache map: IP → identity (compiled by policy/ipcache.ts, applied by tableApplier.ts). */
export const IPCACHE = 'ipcache';

export type PolicyDirection = 'ingress' | 'egress';
export const POLICY_DIRECTIONS: readonly PolicyDirection[] = ['ingress', 'egress'];

/** The policy element sets (policy/policyCompile.ts), per direction, keyed by the local endpoint IP in front. */
export type PolicySetKind = 'enforced' | 'l3' | 'l4' | 'l4any';
export const POLICY_SET_KINDS: readonly PolicySetKind[] = ['enforced', 'l3', 'l4', 'l4any'];
const POLICY_SET_TYPES: Readonly<Record<PolicySetKind, string>> = {
  enforced: 'ipv4_addr',
  l3: 'ipv4_addr . mark',
  l4: 'ipv4_addr . mark . inet_proto . inet_service',
  l4any: 'ipv4_addr . inet_proto . inet_service',
};
const DIR_SHORT: Readonly<Record<PolicyDirection, string>> = { ingress: 'in', egress: 'out' };

/** `pol-in-l4`, `pol-out-enforced`, … */
export function policySetName(direction: PolicyDirection, kind: PolicySetKind): string {
  return `pol-${DIR_SHORT[direction]}-${kind}`;
}

/** The per-direction policy chain (`pol-in`, `pol-out`). */
export function policyChainName(direction: PolicyDirection): string {
  return `pol-${DIR_SHORT[direction]}`;
}

/**
 * Drop records, filled by the datapath (dynamic sets): per local endpoint (its IP) and per flow
 * (`saddr . daddr . l4proto . dport . peer identity`, dport 0 for protocols without ports).
 */
export const POLICY_DROPS = {
  endpointSetSize: 65536,
  endpointTimeout: '1h',
  flowSetSize: 16384,
  flowTimeout: '10m',
} as const;
export function dropEndpointSetName(direction: PolicyDirection): string {
  return `pol-drops-${DIR_SHORT[direction]}-ep`;
}
export function dropFlowSetName(direction: PolicyDirection): string {
  return `pol-drops-${DIR_SHORT[direction]}-flows`;
}
/** The identity register's value when the peer IP is not in the ipcache. */
export const WORLD_MARK = '2';

/** Service objects (everything service-related is prefixed `svc`). */
export const SVC = {
  /** ClusterIP . proto . port → `goto svc-lb-<proto>-<N>` (N = number of backends). */
  ipsMap: 'svc-ips',
  /** Per protocol: ClusterIP . port . index (0…N-1) → backend IP . port. */
  endpointsMaps: { tcp: 'svc-eps-tcp', udp: 'svc-eps-udp' },
  /** Frontends without any backend: rejected at once. */
  noBackendSet: 'svc-nobackend',
  /** Every ClusterIP with a frontend: a new connection to one of its other ports is rejected. */
  vipsSet: 'svc-vips',
  /** Conntrack mark bit of a hairpin connection (a pod reaching itself through a service): masqueraded. */
  hairpinMark: '0x40000000',
  /** Prefix of the per-protocol, per-backend-count chains `svc-lb-<proto>-<N>`. */
  lbChainPrefix: 'svc-lb-',
  rejectChain: 'svc-reject',
  /** Reject records, filled by the datapath (dynamic set): `saddr . sport . daddr . l4proto . dport` of each rejected connection. */
  rejectsSet: 'svc-rejects',
} as const;

/** Size and lifetime of the reject records (read by the agent's flow recorder, observe/flowRecorder.ts). */
export const SVC_REJECTS = { setSize: 16384, timeout: '10m' } as const;

export type SvcL4 = keyof typeof SVC.endpointsMaps;
export const SVC_L4: readonly SvcL4[] = ['tcp', 'udp'];

const SVC_KEY = 'ip daddr . meta l4proto . th dport';

/** Static chains: name → [declaration (hook or '' for a regular chain), rules]. */
const SVC_STATIC: readonly (readonly [string, string, readonly string[]])[] = [
  // The record rule is separate from the reject: a full record set makes its `update` fail, which must not
  // let the packet through.
  [
    SVC.rejectChain,
    '',
    [
      `meta l4proto { tcp, udp, sctp } update @${SVC.rejectsSet} { ip saddr . th sport . ip daddr . meta l4proto . th dport }`,
      'meta l4proto tcp reject with tcp reset',
      'reject with icmpx port-unreachable',
    ],
  ],
  // Traffic from pods (and anything routed through the node).
  ['svc-nat-prerouting', 'type nat hook prerouting priority dstnat; policy accept;', [`${SVC_KEY} vmap @${SVC.ipsMap}`]],
  // Traffic from the node itself. (`dstnat` is accepted only on prerouting by nft 1.0.6: -100 is its value.)
  ['svc-nat-output', 'type nat hook output priority -100; policy accept;', [`${SVC_KEY} vmap @${SVC.ipsMap}`]],
  // Right after the DNAT: a packet that leaves through the interface it came in by (the route to the
  // chosen backend is the client's own veth) is a pod reaching itself. No per-backend state needed.
  [
    'svc-mark-hairpin',
    'type filter hook prerouting priority dstnat + 10; policy accept;',
    [`ct status dnat fib daddr . iif oif exists ct mark set ct mark | ${SVC.hairpinMark} comment "weft: hairpin, a pod reaching itself through a service"`],
  ],
  [
    'svc-nat-postrouting',
    'type nat hook postrouting priority srcnat; policy accept;',
    [`ct mark & ${SVC.hairpinMark} == ${SVC.hairpinMark} masquerade comment "weft: hairpin, so the reply comes back through the node"`],
  ],
  // A ClusterIP routed locally (serviceCidrRoute.ts) that was not DNATed ends here: a frontend without
  // backends, or a port the service does not have. Rejected, never answered by a node-local listener.
  [
    'svc-filter-input',
    'type filter hook input priority filter; policy accept;',
    [
      `${SVC_KEY} @${SVC.noBackendSet} goto ${SVC.rejectChain} comment "weft: service without backends"`,
      `ct state new ip daddr @${SVC.vipsSet} goto ${SVC.rejectChain} comment "weft: not a port of this service"`,
    ],
  ],
  [
    'svc-filter-forward',
    'type filter hook forward priority filter; policy accept;',
    [`${SVC_KEY} @${SVC.noBackendSet} goto ${SVC.rejectChain} comment "weft: service without backends"`],
  ],
  [
    'svc-filter-output',
    'type filter hook output priority filter; policy accept;',
    [`${SVC_KEY} @${SVC.noBackendSet} goto ${SVC.rejectChain} comment "weft: service without backends"`],
  ],
];

/** Names of the static service chains (never touched by the services applier). */
export const SVC_STATIC_CHAINS: readonly string[] = SVC_STATIC.map(([name]) => name);

function serviceObjects(t: string): string[] {
  const lines = [
    `add map ${t} ${SVC.ipsMap} { type ipv4_addr . inet_proto . inet_service : verdict; }`,
    // One map per protocol, declared with typeof (the key's last part is the numgen result, an integer
    // with no named type). Not one map with `th dport`: nft 1.0.6 then refuses to add a rule using the
    // map once it exists ("conflicting protocols specified: ip vs. th").
    ...SVC_L4.map((p) => `add map ${t} ${SVC.endpointsMaps[p]} { typeof ip daddr . ${p} dport . numgen random mod 1 : ip daddr . ${p} dport; }`),
    `add set ${t} ${SVC.noBackendSet} { type ipv4_addr . inet_proto . inet_service; }`,
    `add set ${t} ${SVC.vipsSet} { type ipv4_addr; }`,
    `add set ${t} ${SVC.rejectsSet} { type ipv4_addr . inet_service . ipv4_addr . inet_proto . inet_service; size ${SVC_REJECTS.setSize}; flags dynamic,timeout; timeout ${SVC_REJECTS.timeout}; counter; }`,
  ];
  for (const [name, hook] of SVC_STATIC) lines.push(hook === '' ? `add chain ${t} ${name}` : `add chain ${t} ${name} { ${hook} }`);
  for (const [name, , rules] of SVC_STATIC) {
    lines.push(`flush chain ${t} ${name}`);
    for (const r of rules) lines.push(`add rule ${t} ${name} ${r}`);
  }
  return lines;
}

/**
 * The rules of `pol-in` / `pol-out`: look the peer's identity up into the identity register
 * (`meta mark`, world when unknown), return when one of the endpoint's sets allows the packet,
 * else record the drop (per endpoint, per flow) and drop. The record rules are separate from the
 * drop: a full flow set makes its `update` fail, which must not let the packet through.
 */
export function policyChainRules(direction: PolicyDirection): string[] {
  const [ep, peer] = direction === 'ingress' ? ['ip daddr', 'ip saddr'] : ['ip saddr', 'ip daddr'];
  const set = (kind: PolicySetKind): string => `@${policySetName(direction, kind)}`;
  const flow = (port: string): string => `ip saddr . ip daddr . meta l4proto . ${port} . meta mark`;
  return [
    `meta mark set ${WORLD_MARK}`,
    `meta mark set ${peer} map @${IPCACHE}`,
    `${ep} . meta mark ${set('l3')} return`,
    `${ep} . meta mark . meta l4proto . th dport ${set('l4')} return`,
    `${ep} . meta l4proto . th dport ${set('l4any')} return`,
    `update @${dropEndpointSetName(direction)} { ${ep} }`,
    `meta l4proto { tcp, udp, sctp } update @${dropFlowSetName(direction)} { ${flow('th dport')} }`,
    `meta l4proto != { tcp, udp, sctp } update @${dropFlowSetName(direction)} { ${flow('0')} }`,
    `counter name "policy-drops-${direction}" drop comment "weft: denied by the ${direction} policy of a local endpoint"`,
  ];
}

function policyObjects(t: string): string[] {
  const lines = [`add map ${t} ${IPCACHE} { type ipv4_addr : mark; }`];
  for (const d of POLICY_DIRECTIONS) {
    for (const k of POLICY_SET_KINDS) lines.push(`add set ${t} ${policySetName(d, k)} { type ${POLICY_SET_TYPES[k]}; }`);
    lines.push(
      `add set ${t} ${dropEndpointSetName(d)} { type ipv4_addr; size ${POLICY_DROPS.endpointSetSize}; flags dynamic,timeout; timeout ${POLICY_DROPS.endpointTimeout}; counter; }`,
      `add set ${t} ${dropFlowSetName(d)} { type ipv4_addr . ipv4_addr . inet_proto . inet_service . mark; size ${POLICY_DROPS.flowSetSize}; flags dynamic,timeout; timeout ${POLICY_DROPS.flowTimeout}; counter; }`,
    );
  }
  for (const d of POLICY_DIRECTIONS) lines.push(`add chain ${t} ${policyChainName(d)}`);
  for (const d of POLICY_DIRECTIONS) {
    lines.push(`flush chain ${t} ${policyChainName(d)}`);
    for (const r of policyChainRules(d)) lines.push(`add rule ${t} ${policyChainName(d)} ${r}`);
  }
  return lines;
}

/**
 * Forward: count; established/related first (replies and connections already allowed pass, so a
 * policy change never drops an established connection); the egress policy of a local source
 * endpoint, then the ingress policy of a local destination endpoint; accept.
 * A pod reaching itself through a service (hairpin) is not subject to its own
 * policy, as in Cilium.
 */
function forwardChain(t: string): string[] {
  const enforced = (d: PolicyDirection): string => `@${policySetName(d, 'enforced')}`;
  return [
    `add chain ${t} forward { type filter hook forward priority filter; policy accept; }`,
    `flush chain ${t} forward`,
    `add rule ${t} forward counter name "forwarded"`,
    `add rule ${t} forward ct state established,related accept`,
    `add rule ${t} forward ct mark & ${SVC.hairpinMark} == ${SVC.hairpinMark} accept comment "weft: hairpin, a pod reaching itself through a service is never denied"`,
    `add rule ${t} forward ip saddr ${enforced('egress')} jump ${policyChainName('egress')}`,
    `add rule ${t} forward ip daddr ${enforced('ingress')} jump ${policyChainName('ingress')}`,
    `add rule ${t} forward accept`,
  ];
}

export function compileNftTable(): string {
  const t = `${NFT_FAMILY} ${NFT_TABLE}`;
  return [
    `add table ${t}`,
    ...Object.keys(NFT_COUNTERS).map((name) => `add counter ${t} ${name}`),
    ...policyObjects(t),
    ...forwardChain(t),
    ...serviceObjects(t),
    '',
  ].join('\n');
}
