/**
 * `weft ui`'s HTTP server: the page (src/ui/static/: index.html, app.js,
 * style.css — no build step, nothing fetched from elsewhere) and the two
 * JSON endpoints it polls, `/api/mesh` and `/api/flows`, as routes of the
 * same small GET server every daemon serves (observe/daemonHttp.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonAnswer, startDaemonHttp } from '../observe/daemonHttp.ts';
import type { DaemonHttp, RouteAnswer } from '../observe/daemonHttp.ts';
import type { Logger } from '../util/log.ts';
import type { MeshModel } from './meshModel.ts';
import type { FlowsView } from './flowsView.ts';

export const UI_DEFAULT_PORT = 12000;
export const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

/** Where the server's data comes from (the etcd and agents in `weft ui`, fakes in tests). */
export interface UiSources {
  mesh(): Promise<MeshModel>;
  /** `last`: at most this many of the newest flows per agent. */
  flows(last: number): Promise<FlowsView>;
}

/** The files of the page: URL path → file name and content type. */
export const STATIC_FILES: ReadonlyMap<string, { file: string; type: string }> = new Map([
  ['/', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/app.js', { file: 'app.js', type: 'text/javascript; charset=utf-8' }],
  ['/style.css', { file: 'style.css', type: 'text/css; charset=utf-8' }],
]);

export const DEFAULT_LAST = 1000;
export const MAX_LAST = 10_000;

/** `?last=` of /api/flows: a whole number 1..MAX_LAST, else the default. */
export function lastOf(url: URL): number {
  const n = Number(url.searchParams.get('last') ?? DEFAULT_LAST);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_LAST) : DEFAULT_LAST;
}

function staticAnswer(dir: string, file: string, type: string): RouteAnswer {
  return { status: 200, contentType: type, body: readFileSync(path.join(dir, file), 'utf8') };
}

export interface UiServerOptions {
  readonly address: string;
  readonly port: number;
  readonly sources: UiSources;
  readonly logger: Logger;
  readonly staticDir?: string;
}

export async function startUiServer(opts: UiServerOptions): Promise<DaemonHttp> {
  const http = await startDaemonHttp({ listen: `${opts.address}:${opts.port}`, component: 'ui', logger: opts.logger });
  const dir = opts.staticDir ?? STATIC_DIR;
  for (const [route, { file, type }] of STATIC_FILES) http.route(route, () => staticAnswer(dir, file, type));
  http.route('/api/mesh', async () => jsonAnswer(await opts.sources.mesh()));
  http.route('/api/flows', async (url) => jsonAnswer(await opts.sources.flows(lastOf(url))));
  return http;
}
