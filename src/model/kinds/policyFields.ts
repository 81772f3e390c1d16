/**
 * Schema pieces shared by the policy kinds (CiliumNetworkPolicy,
 * NetworkPolicy): fields Weft rejects by name, port numbers and names.
 */
import { z } from 'zod';
import { portName } from '../names.ts';

/**
 * A field Weft knows but does not implement: present → an error naming the
 * field path and saying it is not supported (never silently ignored).
 */
export function unsupported(hint = '') {
  return z
    .unknown()
    .optional()
    .refine((v) => v === undefined, { message: `is not supported by Weft${hint === '' ? '' : ` (${hint})`}` });
}

export const POLICY_PORT_MAX = 65535;

/** A port written as a number or a numeric string: its number, else undefined. */
export function numericPort(port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return /^\d+$/.test(port) ? Number(port) : undefined;
}

/** Why a port (number, numeric string or named port) is invalid; undefined when valid. 0 is allowed here (callers decide). */
export function portProblem(port: string | number): string | undefined {
  const n = numericPort(port);
  if (n !== undefined) return Number.isInteger(n) && n >= 0 && n <= POLICY_PORT_MAX ? undefined : `port must be 1-${POLICY_PORT_MAX} (or a named port)`;
  if (typeof port === 'string' && portName.safeParse(port).success) return undefined;
  return "must be a port number 1-65535 or a named port (at most 15 characters of a-z, 0-9 and '-', with a letter)";
}

/** Whether the port names a container port (rather than a number). */
export function isNamedPort(port: string | number | undefined): port is string {
  return port !== undefined && numericPort(port) === undefined;
}
