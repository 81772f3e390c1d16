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
  /** ClusterIP . proto . port → `goto svc-lb-<N>` (N = number of backends). */
  ipsMap: 'svc-ips',
  /** ClusterIP . proto . port . index (0…N-1) → backend IP . port. */
  endpointsMap: 'svc-eps',
  /** Frontends without any backend: rejected at once. */
  noBackendSet: 'svc-nobackend',
  /** `ip . ip` for every backend IP: a connection whose source is its own DNAT target is masqueraded. */
  hairpinSet: 'svc-hairpin',
  /** Prefix of the per-backend-count chains `svc-lb-<N>`. */
  lbChainPrefix: 'svc-lb-',
  rejectChain: 'svc-reject',
} as const;

const SVC_KEY = 'ip daddr . meta l4proto . th dport';

/** Static chains: name → [declaration (hook or '' for a regular chain), rules]. */
const SVC_STATIC: readonly (readonly [string, string, readonly string[]])[] = [
  [SVC.rejectChain, '', ['meta l4proto tcp reject with tcp reset', 'reject with icmpx port-unreachable']],
  // Traffic from pods (and anything routed through the node).
  ['svc-nat-prerouting', 'type nat hook prerouting priority dstnat; policy accept;', [`${SVC_KEY} vmap @${SVC.ipsMap}`]],
  // Traffic from the node itself. (`dstnat` is accepted only on prerouting by nft 1.0.6: -100 is its value.)
  ['svc-nat-output', 'type nat hook output priority -100; policy accept;', [`${SVC_KEY} vmap @${SVC.ipsMap}`]],
  [
    'svc-nat-postrouting',
    'type nat hook postrouting priority srcnat; policy accept;',
    [`ct status dnat ip saddr . ip daddr @${SVC.hairpinSet} masquerade comment "weft: hairpin, a pod reaching itself through a service"`],
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
    // typeof: the key's last part is the numgen result (an integer with no named type). `tcp dport`
    // only names the type (inet_service, for UDP too): with `th dport` here, nft 1.0.6 cannot add a
    // rule using the map once the map exists ("conflicting protocols specified: ip vs. th").
    `add map ${t} ${SVC.endpointsMap} { typeof ip daddr . meta l4proto . tcp dport . numgen random mod 1 : ip daddr . tcp dport; }`,
    `add set ${t} ${SVC.noBackendSet} { type ipv4_addr . inet_proto . inet_service; }`,
    `add set ${t} ${SVC.hairpinSet} { type ipv4_addr . ipv4_addr; }`,
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
