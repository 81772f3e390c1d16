/**
 * CLI contexts: named ways to reach a cluster's etcd, like kubeconfig
 * contexts. Stored in `${weftHome()}/config.json`, written atomically.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { weftHome } from '../util/paths.ts';
import { readJsonIfExists, writeJsonAtomic } from '../util/atomicFile.ts';

const ContextSchema = z.object({
  name: z.string().min(1),
  cluster: z.string().min(1),
  endpoints: z.array(z.string()).min(1),
  tls: z.object({ caFile: z.string(), certFile: z.string(), keyFile: z.string() }).optional(),
  /** Where other clusters reach this one (its mesh proxy), set by `clustermesh enable`. */
  meshEndpoints: z.array(z.string()).min(1).optional(),
});

const ConfigSchema = z.object({
  currentContext: z.string().optional(),
  contexts: z.array(ContextSchema),
});
type ConfigFile = z.infer<typeof ConfigSchema>;

export interface Context {
  name: string;
  cluster: string;
  endpoints: string[];
  tls?: { caFile: string; certFile: string; keyFile: string };
  meshEndpoints?: string[];
}

export function configPath(): string {
  return path.join(weftHome(), 'config.json');
}

function readConfig(): ConfigFile {
  const file = configPath();
  let raw: unknown;
  try {
    raw = readJsonIfExists(file);
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
  if (raw === undefined) return { contexts: [] };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new WeftError(ErrorCode.InvalidInput, `${file} is not a valid weft config: ${parsed.error.message}`);
  }
  return parsed.data;
}

function writeConfig(cfg: ConfigFile): void {
  if (cfg.contexts.length === 0 && cfg.currentContext === undefined) {
    rmSync(configPath(), { force: true });
    return;
  }
  writeJsonAtomic(configPath(), cfg, 0o600);
}

function toContext(c: z.infer<typeof ContextSchema>): Context {
  const ctx: Context = { name: c.name, cluster: c.cluster, endpoints: [...c.endpoints] };
  if (c.tls !== undefined) ctx.tls = { ...c.tls };
  if (c.meshEndpoints !== undefined) ctx.meshEndpoints = [...c.meshEndpoints];
  return ctx;
}

export function listContexts(): { current: string | undefined; contexts: Context[] } {
  const cfg = readConfig();
  return { current: cfg.currentContext, contexts: cfg.contexts.map(toContext) };
}

/** The named context, or the current one when name is undefined. */
export function resolveContext(name?: string): Context {
  const cfg = readConfig();
  const known = cfg.contexts.map((c) => c.name);
  const knownText = known.length === 0 ? 'no contexts are configured (create a cluster with `weft lab up`)' : `known contexts: ${known.join(', ')}`;
  const wanted = name ?? cfg.currentContext;
  if (wanted === undefined) {
    throw new WeftError(ErrorCode.NotFound, `no context given (--context) and no current context set; ${knownText}`);
  }
  const found = cfg.contexts.find((c) => c.name === wanted);
  if (found === undefined) throw new WeftError(ErrorCode.NotFound, `context "${wanted}" does not exist; ${knownText}`);
  return toContext(found);
}

/** Adds or replaces the context; makes it current when asked or when there is no current context. */
export function saveContext(ctx: Context, makeCurrent: boolean): void {
  const parsed = ContextSchema.safeParse(ctx);
  if (!parsed.success) throw new WeftError(ErrorCode.InvalidInput, `invalid context "${ctx.name}": ${parsed.error.message}`);
  const cfg = readConfig();
  const contexts = cfg.contexts.filter((c) => c.name !== ctx.name);
  contexts.push(parsed.data);
  contexts.sort((a, b) => a.name.localeCompare(b.name));
  const current = makeCurrent || cfg.currentContext === undefined ? ctx.name : cfg.currentContext;
  writeConfig({ currentContext: current, contexts });
}

/** Removes the context (nothing to do when absent); clears the current context if it was this one. */
export function removeContext(name: string): void {
  const cfg = readConfig();
  const contexts = cfg.contexts.filter((c) => c.name !== name);
  if (contexts.length === cfg.contexts.length && cfg.currentContext !== name) return;
  const next: ConfigFile = { contexts };
  if (cfg.currentContext !== undefined && cfg.currentContext !== name) next.currentContext = cfg.currentContext;
  writeConfig(next);
}

export function useContext(name: string): void {
  const cfg = readConfig();
  resolveContext(name);
  writeConfig({ ...cfg, currentContext: name });
}
