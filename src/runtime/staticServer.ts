/**
 * The nginx stand-in: a static file server like nginx's default site. GET and
 * HEAD serve files under a root folder (index.html for a folder, a 301 to
 * add the trailing slash, 403 for a folder without index.html, 404 for
 * anything missing); files are read on every request, so updated volume files
 * are served at once. Without a root it serves nginx's welcome page.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import { closeHttpServers } from './httpServers.ts';
import path from 'node:path';

export interface StaticServerOptions {
  /** The document root on the node; undefined → the built-in welcome page. */
  readonly root?: string | undefined;
  readonly ports: readonly number[];
  readonly host?: string | undefined;
}

export interface RunningStaticServer {
  /** The bound ports, in the order given (a 0 becomes the port the kernel chose). */
  readonly ports: readonly number[];
  close(): Promise<void>;
}

export const SERVER_HEADER = 'nginx (weft stand-in)';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.xml': 'text/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
};

/** nginx's mime.types default_type for anything else. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export const WELCOME_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. (Served by Weft's built-in nginx stand-in: mount a volume at
/usr/share/nginx/html to serve your own files.)</p>
</body>
</html>
`;

function errorPage(status: number): string {
  const title = `${status} ${http.STATUS_CODES[status] ?? ''}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

type Answer = { status: number; body: Buffer | string; type: string; location?: string };

/** The URL path (no query), decoded; undefined when it cannot be a file path. */
export function requestPath(url: string): string | undefined {
  const raw = url.split('?')[0] ?? '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0')) return undefined;
  return decoded;
}

/** The file a request path names under root, or undefined when it would leave the root. */
export function fileUnderRoot(root: string, urlPath: string): string | undefined {
  const rel = path.posix.normalize(urlPath);
  if (rel.split('/').includes('..')) return undefined;
  const file = path.join(root, rel);
  return file === root || file.startsWith(`${root}${path.sep}`) || root === path.sep ? file : undefined;
}

async function answer(root: string | undefined, urlPath: string): Promise<Answer> {
  const notFound: Answer = { status: 404, body: errorPage(404), type: 'text/html' };
  if (root === undefined) {
    return urlPath === '/' || urlPath === '/index.html' ? { status: 200, body: WELCOME_PAGE, type: 'text/html' } : notFound;
  }
  const file = fileUnderRoot(root, urlPath);
  if (file === undefined) return notFound;
  try {
    // Symlinks may not lead out of the root.
    const [realRoot, real] = await Promise.all([realpath(root), realpath(file)]);
    if (real !== realRoot && !real.startsWith(`${realRoot}${path.sep}`)) return notFound;
    const st = await stat(real);
    if (st.isDirectory()) {
      if (!urlPath.endsWith('/')) return { status: 301, body: errorPage(301), type: 'text/html', location: `${urlPath}/` };
      const index = path.join(real, 'index.html');
      try {
        return { status: 200, body: await readFile(index), type: 'text/html' };
      } catch {
        return { status: 403, body: errorPage(403), type: 'text/html' };
      }
    }
    return { status: 200, body: await readFile(real), type: contentTypeOf(real) };
  } catch {
    return notFound;
  }
}

function handle(root: string | undefined, req: http.IncomingMessage, res: http.ServerResponse): void {
  const method = req.method ?? 'GET';
  const send = (a: Answer): void => {
    const body = typeof a.body === 'string' ? Buffer.from(a.body) : a.body;
    res.writeHead(a.status, {
      Server: SERVER_HEADER,
      'Content-Type': a.type,
      'Content-Length': body.length,
      ...(a.location === undefined ? {} : { Location: a.location }),
    });
    res.end(method === 'HEAD' ? undefined : body);
  };
  if (method !== 'GET' && method !== 'HEAD') {
    send({ status: 405, body: errorPage(405), type: 'text/html' });
    return;
  }
  const urlPath = requestPath(req.url ?? '/');
  if (urlPath === undefined) {
    send({ status: 400, body: errorPage(400), type: 'text/html' });
    return;
  }
  answer(root, urlPath).then(send, () => send({ status: 500, body: errorPage(500), type: 'text/html' }));
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

export async function startStaticServer(opts: StaticServerOptions): Promise<RunningStaticServer> {
  const root = opts.root === undefined ? undefined : path.resolve(opts.root);
  const servers: http.Server[] = [];
  const ports: number[] = [];
  const close = (): Promise<void> => closeHttpServers(servers);
  try {
    for (const port of opts.ports) {
      const server = http.createServer((req, res) => handle(root, req, res));
      server.keepAliveTimeout = 5000;
      servers.push(server);
      ports.push(await listen(server, port, opts.host ?? '0.0.0.0'));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { ports, close };
}
