/**
 * What one normalized policy allows in one direction, resolved against the
 * known identities (through the selector memo) — everything but named ports,
 * which depend on the selected endpoint and are resolved at merge time.
 * l4 entries and l4Any ports are encoded as numbers (see encodeL4).
 */
import type { SelectorMemo } from './identityIndex.ts';
import type { DirectionRules, PeerRule, PeerSelector } from './normalize.ts';
import { withRequirement, selectorOf } from './selector.ts';
import type { Selector } from './selector.ts';
import { LABEL, RESERVED_IDENTITY } from './types.ts';
import type { L4Proto } from './types.ts';

export const PROTOS: readonly L4Proto[] = ['tcp', 'udp', 'sctp'];
const PROTO_INDEX: Readonly<Record<L4Proto, number>> = { tcp: 0, udp: 1, sctp: 2 };

/** proto . port as one number: protoIndex·2^16 + port (sorts by proto, then port). */
export function encodePort(proto: L4Proto, port: number): number {
  return PROTO_INDEX[proto] * 0x10000 + port;
}

/** identity . proto . port as one number below 2^53 (sorts by identity, proto, port). */
export function encodeL4(identity: number, proto: L4Proto, port: number): number {
  return identity * 0x40000 + encodePort(proto, port);
}

export function decodePort(code: number): { proto: L4Proto; port: number } {
  return { proto: PROTOS[Math.floor(code / 0x10000) % 4] ?? 'tcp', port: code % 0x10000 };
}

export function decodeL4(code: number): { identity: number; proto: L4Proto; port: number } {
  return { identity: Math.floor(code / 0x40000), ...decodePort(code % 0x40000) };
}

/** A named port to resolve against the selected endpoint's own ports. */
export interface NamedGrant {
  /** Peer ids, or 'any' for every peer. */
  readonly peers: readonly number[] | 'any';
  readonly name: string;
  readonly proto: L4Proto | undefined;
}

export interface Contribution {
  readonly allowAll: boolean;
  readonly l3: readonly number[];
  readonly l4: readonly number[];
  readonly l4Any: readonly number[];
  readonly named: readonly NamedGrant[];
  /** Selector texts (memo keys) this contribution read: it is stale when one of them changes. */
  readonly selectors: ReadonlySet<string>;
}

export interface ScopeOptions {
  readonly cluster: string;
  readonly defaultLocalCluster: boolean;
}

/** The selector actually matched: restricted to the local cluster when it names none and the option says so. */
export function scopedSelector(peer: PeerSelector, scope: ScopeOptions): Selector {
  return peer.namesCluster || !scope.defaultLocalCluster ? peer.selector : withRequirement(peer.selector, { key: LABEL.cluster, operator: 'In', values: [scope.cluster] });
}

function localCluster(scope: ScopeOptions): Selector {
  return selectorOf([{ key: LABEL.cluster, operator: 'In', values: [scope.cluster] }]);
}

function rulePeers(rule: PeerRule, memo: SelectorMemo, scope: ScopeOptions, used: Set<string>): Set<number> {
  const out = new Set<number>();
  const addSelector = (sel: Selector): void => {
    used.add(sel.text);
    for (const id of memo.ids(sel)) out.add(id);
  };
  for (const peer of rule.selectors) addSelector(scopedSelector(peer, scope));
  for (const e of rule.entities) {
    switch (e) {
      case 'world':
        out.add(RESERVED_IDENTITY.world);
        break;
      case 'host':
        out.add(RESERVED_IDENTITY.host);
        break;
      case 'remote-node':
        out.add(RESERVED_IDENTITY.remoteNode);
        break;
      case 'cluster':
        addSelector(localCluster(scope));
        out.add(RESERVED_IDENTITY.host);
        out.add(RESERVED_IDENTITY.remoteNode);
        break;
    }
  }
  return out;
}

/** The contribution of one direction of one policy. */
export function contributionOf(dir: DirectionRules, memo: SelectorMemo, scope: ScopeOptions): Contribution {
  const used = new Set<string>();
  let allowAll = false;
  const l3 = new Set<number>();
  const l4 = new Set<number>();
  const l4Any = new Set<number>();
  const named: NamedGrant[] = [];
  for (const rule of dir.rules) {
    const peers = rule.anyPeer ? 'any' : rulePeers(rule, memo, scope, used);
    if (peers !== 'any' && peers.size === 0) continue;
    if (rule.ports === 'all') {
      if (peers === 'any') allowAll = true;
      else for (const id of peers) l3.add(id);
      continue;
    }
    for (const p of rule.ports) {
      if (p.kind === 'named') {
        named.push({ peers: peers === 'any' ? 'any' : [...peers], name: p.name, proto: p.proto });
      } else if (peers === 'any') {
        l4Any.add(encodePort(p.proto, p.port));
      } else {
        for (const id of peers) l4.add(encodeL4(id, p.proto, p.port));
      }
    }
  }
  return { allowAll, l3: [...l3], l4: [...l4], l4Any: [...l4Any], named, selectors: used };
}
