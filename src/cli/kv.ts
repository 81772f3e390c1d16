/**
 * Opening the kvstore of the cluster a command talks to (--context or the
 * current context), with the command's --request-timeout, and closing it
 * on every path without ever waiting on the close for long.
 */
import type { Command } from 'commander';
import type { KvBackend } from '../kvstore/backend.ts';
import { createEtcdKv } from '../kvstore/etcd.ts';
import type { Context } from '../contexts/contexts.ts';
import { resolveContext } from '../contexts/contexts.ts';
import { requestTimeoutOf } from './requestTimeout.ts';

/** How long closing a client may take before the command goes on without it. */
const CLOSE_GRACE_MS = 1000;

export function contextOf(cmd: Command): Context {
  const opts = cmd.optsWithGlobals<{ context?: string }>();
  return resolveContext(opts.context);
}

/** A client for the context's etcd; every request fails after requestTimeoutMs (0 = no limit). */
export function openKv(ctx: Context, requestTimeoutMs: number): KvBackend {
  return createEtcdKv({ endpoints: ctx.endpoints, dialTimeoutMs: requestTimeoutMs, ...(ctx.tls === undefined ? {} : { tls: ctx.tls }) });
}

/** Close the client; resolves after CLOSE_GRACE_MS at the latest, and never rejects. */
export async function closeKv(kv: KvBackend): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_GRACE_MS);
    timer.unref();
  });
  try {
    await Promise.race([kv.close().catch(() => undefined), grace]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run fn with the context's kvstore, closing it afterwards. */
export async function withKv<T>(cmd: Command, fn: (kv: KvBackend, ctx: Context) => Promise<T>): Promise<T> {
  const ctx = contextOf(cmd);
  const kv = openKv(ctx, requestTimeoutOf(cmd));
  try {
    return await fn(kv, ctx);
  } finally {
    await closeKv(kv);
  }
}
