/**
 * The CNI calling convention: environment variables → one invocation record.
 * Pure; every failure is a CNI error naming the variable and its value.
 */
import { CniCode, cniError } from './codes.ts';

export const CNI_COMMANDS = ['ADD', 'DEL', 'CHECK', 'VERSION', 'STATUS', 'GC'] as const;
export type CniCommand = (typeof CNI_COMMANDS)[number];

export interface CniInvocation {
  command: CniCommand;
  containerId: string;
  /** Path of the container's network namespace ('' when not given, e.g. on DEL). */
  netns: string;
  ifName: string;
  /** CNI_ARGS as key → value. */
  args: Record<string, string>;
  path: string[];
}

const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Which variables each command needs. */
const REQUIRED: Record<CniCommand, readonly ('CNI_CONTAINERID' | 'CNI_NETNS' | 'CNI_IFNAME')[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'],
  VERSION: [],
  STATUS: [],
  GC: [],
};

export function parseCniArgs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw cniError(CniCode.InvalidEnv, `CNI_ARGS has an invalid pair "${pair}": expected KEY=VALUE separated by ";"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Interface names the kernel accepts (spec: not empty, not . or .., < 16 chars, no / : or whitespace). */
export function validIfName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && name.length < 16 && !/[/:\s]/.test(name);
}

export function parseEnv(env: Record<string, string | undefined>): CniInvocation {
  const raw = env['CNI_COMMAND'] ?? '';
  if (raw === '') throw cniError(CniCode.InvalidEnv, 'CNI_COMMAND is not set: expected one of ' + CNI_COMMANDS.join(', '));
  const command = CNI_COMMANDS.find((c) => c === raw);
  if (command === undefined) throw cniError(CniCode.InvalidEnv, `CNI_COMMAND "${raw}" is not one of ${CNI_COMMANDS.join(', ')}`);
  for (const name of REQUIRED[command]) {
    if ((env[name] ?? '') === '') throw cniError(CniCode.InvalidEnv, `${name} is not set; ${command} needs it`);
  }
  const containerId = env['CNI_CONTAINERID'] ?? '';
  if (containerId !== '' && !CONTAINER_ID.test(containerId)) {
    throw cniError(CniCode.InvalidEnv, `CNI_CONTAINERID "${containerId}" is invalid: it must start with a letter or digit, then letters, digits, _ . -`);
  }
  const ifName = env['CNI_IFNAME'] ?? '';
  if (ifName !== '' && !validIfName(ifName)) {
    throw cniError(CniCode.InvalidEnv, `CNI_IFNAME "${ifName}" is not a valid interface name (1-15 characters, no / : or whitespace, not . or ..)`);
  }
  return {
    command,
    containerId,
    netns: env['CNI_NETNS'] ?? '',
    ifName,
    args: parseCniArgs(env['CNI_ARGS'] ?? ''),
    path: (env['CNI_PATH'] ?? '').split(':').filter((p) => p !== ''),
  };
}

/** The pod's namespace and name from Kubernetes-style CNI_ARGS, when given. */
export function podOf(args: Record<string, string>): { podNamespace?: string; podName?: string } {
  const out: { podNamespace?: string; podName?: string } = {};
  const ns = args['K8S_POD_NAMESPACE'];
  const name = args['K8S_POD_NAME'];
  if (ns !== undefined && ns !== '') out.podNamespace = ns;
  if (name !== undefined && name !== '') out.podName = name;
  return out;
}
