/**
 * The verdict of one endpoint in one direction: the union of what every
 * policy selecting it allows (named ports resolved against the endpoint's
 * own ports), minimized (an l4 entry covered by l3 or l4Any is dropped) and
 * sorted as DirectionVerdict promises.
 */
import { decodeL4, decodePort, encodeL4, encodePort } from './contribution.ts';
import type { Contribution } from './contribution.ts';
import { UNENFORCED } from './types.ts';
import type { DirectionVerdict, L4Proto } from './types.ts';

export interface EndpointNamedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

const ALLOW_ALL: DirectionVerdict = { enforced: true, allowAll: true, l3: [], l4: [], l4Any: [] };

function protoOf(p: EndpointNamedPort['protocol']): L4Proto {
  return p === 'TCP' ? 'tcp' : p === 'UDP' ? 'udp' : 'sctp';
}

const ascending = (a: number, b: number): number => a - b;

/** `contributions`: those of the policies selecting the endpoint that enforce this direction. */
export function mergeDirection(contributions: readonly Contribution[], namedPorts: readonly EndpointNamedPort[]): DirectionVerdict {
  if (contributions.length === 0) return UNENFORCED;
  if (contributions.some((c) => c.allowAll)) return ALLOW_ALL;
  const l3 = new Set<number>();
  const l4 = new Set<number>();
  const l4Any = new Set<number>();
  for (const c of contributions) {
    for (const id of c.l3) l3.add(id);
    for (const x of c.l4) l4.add(x);
    for (const x of c.l4Any) l4Any.add(x);
    for (const n of c.named) {
      for (const np of namedPorts) {
        const proto = protoOf(np.protocol);
        if (np.name !== n.name || (n.proto !== undefined && n.proto !== proto)) continue;
        if (n.peers === 'any') l4Any.add(encodePort(proto, np.port));
        else for (const id of n.peers) l4.add(encodeL4(id, proto, np.port));
      }
    }
  }
  const l4Out: { identity: number; proto: L4Proto; port: number }[] = [];
  for (const code of [...l4].sort(ascending)) {
    const e = decodeL4(code);
    if (l3.has(e.identity) || l4Any.has(encodePort(e.proto, e.port))) continue;
    l4Out.push(e);
  }
  return {
    enforced: true,
    allowAll: false,
    l3: [...l3].sort(ascending),
    l4: l4Out,
    l4Any: [...l4Any].sort(ascending).map(decodePort),
  };
}
