/**
 * Opening the kvstore of the cluster a command talks to (--context or the
 * current context).
 */
import type { Command } from 'commander';
import type { KvBackend } from '../kvstore/backend.ts';
import { createEtcdKv } from '../kvstore/etcd.ts';
import type { Context } from './contexts.ts';
import { resolveContext } from './contexts.ts';

export function contextOf(cmd: Command): Context {
  const opts = cmd.optsWithGlobals<{ context?: string }>();
  return resolveContext(opts.context);
}

export function openKv(ctx: Context): KvBackend {
  return createEtcdKv({ endpoints: ctx.endpoints, ...(ctx.tls === undefined ? {} : { tls: ctx.tls }) });
}

/** Run fn with the context's kvstore, closing it afterwards. */
export async function withKv<T>(cmd: Command, fn: (kv: KvBackend, ctx: Context) => Promise<T>): Promise<T> {
  const ctx = contextOf(cmd);
  const kv = openKv(ctx);
  try {
    return await fn(kv, ctx);
  } finally {
    await kv.close();
  }
}
