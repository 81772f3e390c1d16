/**
 * What the CLI asks a daemon's HTTP port (thin I/O): `/healthz` and
 * `/metrics` (parsed with exposition.ts), each with a short timeout. Errors
 * name the URL; nothing here throws past probeHealthz / scrapeMetrics'
 * answers, so a status command shows an unreachable daemon instead of failing.
 */
import { errorMessage } from '../errors.ts';
import { parseExposition, type Sample } from './exposition.ts';

export const PROBE_TIMEOUT_MS = 2000;

export interface HealthProbe {
  readonly ok: boolean;
  /** '' when ok; else what went wrong, naming the URL. */
  readonly error: string;
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

/** GET <url> expecting 200 and `{"status":"ok"}` (a daemon's /healthz). */
export async function probeHealthz(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<HealthProbe> {
  try {
    const r = await get(url, timeoutMs);
    if (r.status !== 200) return { ok: false, error: `${url}: HTTP ${r.status}` };
    const body = JSON.parse(r.body) as { status?: unknown };
    return body.status === 'ok' ? { ok: true, error: '' } : { ok: false, error: `${url}: status ${JSON.stringify(body.status)}` };
  } catch (err) {
    return { ok: false, error: `${url}: ${errorMessage(err)}` };
  }
}

export type MetricsScrape = { readonly ok: true; readonly samples: readonly Sample[] } | { readonly ok: false; readonly error: string };

/** GET <url> (a daemon's /metrics) and parse it. */
export async function scrapeMetrics(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<MetricsScrape> {
  try {
    const r = await get(url, timeoutMs);
    if (r.status !== 200) return { ok: false, error: `${url}: HTTP ${r.status}` };
    return { ok: true, samples: parseExposition(r.body) };
  } catch (err) {
    return { ok: false, error: `${url}: ${errorMessage(err)}` };
  }
}
