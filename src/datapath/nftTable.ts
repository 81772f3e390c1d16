/**
 * Compile Weft's nftables table `inet weft` (pure). Returns one `nft -f`
 * transaction: declare the table and its objects (`add` is idempotent), flush
 * the static chains, write their rules again. Named counters live outside the
 * chains, so rewriting a chain never resets them. Maps and sets are declared
 * here but never flushed: their elements are owned by the appliers
 * (ipcache.ts, services.ts) and updated element by element. See README.md.
 */
export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'weft';

/** Named counters and what they count. */
export const NFT_COUNTERS = { forwarded: 'every packet the node forwards (pod traffic, both directions)' } as const;

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
  /** Packet mark bit of a hairpin connection (a pod reaching itself through a service): masqueraded. */
  hairpinMark: '0x40000000',
  /** Prefix of the per-protocol, per-backend-count chains `svc-lb-<proto>-<N>`. */
  lbChainPrefix: 'svc-lb-',
  rejectChain: 'svc-reject',
} as const;

export type SvcL4 = keyof typeof SVC.endpointsMaps;
export const SVC_L4: readonly SvcL4[] = ['tcp', 'udp'];

const SVC_KEY = 'ip daddr . meta l4proto . th dport';

/** Static chains: name → [declaration (hook or '' for a regular chain), rules]. */
const SVC_STATIC: readonly (readonly [string, string, readonly string[]])[] = [
  [SVC.rejectChain, '', ['meta l4proto tcp reject with tcp reset', 'reject with icmpx port-unreachable']],
  // Traffic from pods (and anything routed through the node).
  ['svc-nat-prerouting', 'type nat hook prerouting priority dstnat; policy accept;', [`${SVC_KEY} vmap @${SVC.ipsMap}`]],
  // Traffic from the node itself. (`dstnat` is accepted only on prerouting by nft 1.0.6: -100 is its value.)
  ['svc-nat-output', 'type nat hook output priority -100; policy accept;', [`${SVC_KEY} vmap @${SVC.ipsMap}`]],
  // Right after the DNAT: a packet that leaves through the interface it came in by (the route to the
  // chosen backend is the client's own veth) is a pod reaching itself. No per-backend state needed.
  [
    'svc-mark-hairpin',
    'type filter hook prerouting priority dstnat + 10; policy accept;',
    [`ct status dnat fib daddr . iif oif exists meta mark set meta mark | ${SVC.hairpinMark} comment "weft: hairpin, a pod reaching itself through a service"`],
  ],
  [
    'svc-nat-postrouting',
    'type nat hook postrouting priority srcnat; policy accept;',
    [`meta mark & ${SVC.hairpinMark} == ${SVC.hairpinMark} masquerade comment "weft: hairpin, so the reply comes back through the node"`],
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
  ];
  for (const [name, hook] of SVC_STATIC) lines.push(hook === '' ? `add chain ${t} ${name}` : `add chain ${t} ${name} { ${hook} }`);
  for (const [name, , rules] of SVC_STATIC) {
    lines.push(`flush chain ${t} ${name}`);
    for (const r of rules) lines.push(`add rule ${t} ${name} ${r}`);
  }
  return lines;
}

export function compileNftTable(): string {
  const t = `${NFT_FAMILY} ${NFT_TABLE}`;
  return [
    `add table ${t}`,
    ...Object.keys(NFT_COUNTERS).map((name) => `add counter ${t} ${name}`),
    `add chain ${t} forward { type filter hook forward priority filter; policy accept; }`,
    `flush chain ${t} forward`,
    `add rule ${t} forward counter name "forwarded" accept comment "weft: forwarded, no policy yet"`,
    ...serviceObjects(t),
    '',
  ].join('\n');
}
