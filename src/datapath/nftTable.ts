/**
 * Compile Weft's nftables table `inet weft` (pure). Returns one `nft -f`
 * transaction: declare the table and its objects (`add` is idempotent), flush
 * the static chains, write their rules again. Named counters live outside the
 * chains, so rewriting a chain never resets them. See README.md for the
 * planned layout (services, ipcache, policy).
 */
export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'weft';

/** Named counters and what they count. */
export const NFT_COUNTERS = { forwarded: 'every packet the node forwards (pod traffic, both directions)' } as const;

export function compileNftTable(): string {
  const t = `${NFT_FAMILY} ${NFT_TABLE}`;
  return [
    `add table ${t}`,
    ...Object.keys(NFT_COUNTERS).map((name) => `add counter ${t} ${name}`),
    `add chain ${t} forward { type filter hook forward priority filter; policy accept; }`,
    `flush chain ${t} forward`,
    `add rule ${t} forward counter name "forwarded" accept comment "weft: forwarded, no policy yet"`,
    '',
  ].join('\n');
}
