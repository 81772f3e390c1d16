/**
 * The three kernel tools the datapath drives (`ip`, `bridge`, `nft`), bound to
 * a network namespace or to the current one. The only place they are spawned.
 */
import { exec } from '../util/exec.ts';
import { ErrorCode, isWeftError } from '../errors.ts';

export type NetToolName = 'ip' | 'bridge' | 'nft';

export interface NetTools {
  /** Run the tool with `args`, `input` on stdin; resolves to stdout, throws WeftError(CommandFailed) on failure. */
  run(tool: NetToolName, args: readonly string[], input?: string): Promise<string>;
}

function runner(argv: (tool: NetToolName, args: readonly string[]) => string[]): NetTools {
  return {
    async run(tool, args, input) {
      const [cmd, ...rest] = argv(tool, args);
      return exec(cmd ?? tool, rest, input === undefined ? {} : { input });
    },
  };
}

/** Tools acting on the namespace this process runs in (the agent, which runs inside its node netns). */
export function hostNetTools(): NetTools {
  return runner((tool, args) => [tool, ...args]);
}

/** The argv that runs `tool args` inside `netns` (`ip -n`, `bridge -n`, `ip netns exec … nft`). */
export function netnsArgv(netns: string, tool: NetToolName, args: readonly string[]): string[] {
  switch (tool) {
    case 'ip':
    case 'bridge':
      return [tool, '-n', netns, ...args];
    case 'nft':
      return ['ip', 'netns', 'exec', netns, 'nft', ...args];
  }
}

/** Tools acting on a named netns. */
export function netnsNetTools(netns: string): NetTools {
  return runner((tool, args) => netnsArgv(netns, tool, args));
}

export interface RecordedCall {
  tool: NetToolName;
  args: string[];
  input: string | undefined;
}

/** Wraps tools and records every call (tests and benchmarks count what ran). */
export function recordingNetTools(inner: NetTools): NetTools & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    run(tool, args, input) {
      calls.push({ tool, args: [...args], input });
      return inner.run(tool, args, input);
    },
  };
}

/**
 * nft's answer for a table, set or map that does not exist (`Error: No such file or directory`):
 * the one place it is recognised. A fresh node has no `inet weft` table yet.
 */
export function isNoSuchNftObject(err: unknown): boolean {
  return isWeftError(err, ErrorCode.CommandFailed) && /No such file or directory/.test(err.message);
}

/** `nft -j list <what…>` (e.g. `['table', 'inet', 'weft']`): its JSON, or undefined when there is no such object. */
export async function listNftJson(tools: NetTools, what: readonly string[]): Promise<string | undefined> {
  try {
    return await tools.run('nft', ['-j', 'list', ...what]);
  } catch (err) {
    if (isNoSuchNftObject(err)) return undefined;
    throw err;
  }
}
