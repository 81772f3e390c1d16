/** Stable orderings of service data (pure), so exported values and listings do not churn. */
import { isIp, parseIp } from '../util/cidr.ts';

/** IPv4 addresses numerically; anything else after them, as text. */
export function compareIps(a: string, b: string): number {
  const na = isIp(a) ? parseIp(a) : undefined;
  const nb = isIp(b) ? parseIp(b) : undefined;
  if (na !== undefined && nb !== undefined) return na - nb;
  if (na !== undefined) return -1;
  if (nb !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
