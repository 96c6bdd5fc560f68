import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { listenOn } from '../../controller/net/listen-on.ts';

/** What GitHub Pages answers for the files `site build` writes (and a few an operator may add). */
const TYPES: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.log', 'text/plain; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.xml', 'application/xml'],
]);

export interface SitePreviewOptions {
  /** The folder `portfarm site build` wrote. */
  readonly dir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface SitePreview {
  /** `http://host:port/`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a built site the way GitHub Pages does, to try it before it is published: files as
 * they are with their content type, `index.html` for a folder (a folder without its slash is
 * redirected to it), never a folder listing, and `404.html` with status 404 for every other
 * address, which is how the router page gets the legacy buildbot URLs. Only GET and HEAD. A path
 * that would leave the folder (`..`, an encoded `/` or `\`, a symbolic link pointing out) is a 404.
 */
export async function startSitePreview(options: SitePreviewOptions): Promise<SitePreview> {
  const root = await realpath(options.dir);
  const server = createServer((req, res) => {
    answer(root, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('the preview could not read the file\n');
      else res.destroy();
    });
  });
  const address = await listenOn(server, options.port, options.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}/`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => { resolve(); });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function answer(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('the site is read-only: GET or HEAD\n');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://preview.invalid');
  const found = await findFile(root, url.pathname);
  if (found === ADD_SLASH) {
    res.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
    return;
  }
  const file = found ?? (await findFile(root, '/404.html'));
  if (file === ADD_SLASH || file === null) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found (and the site has no 404.html)\n');
    return;
  }
  const info = await stat(file);
  res.writeHead(found === null ? 404 : 200, { 'content-type': TYPES.get(extname(file).toLowerCase()) ?? 'application/octet-stream', 'content-length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

/** A folder asked for without its trailing slash: redirected to it, as Pages does. */
const ADD_SLASH = Symbol('add-slash');

/** The file an address names inside `root`, ADD_SLASH for a folder asked without its slash, or null. */
async function findFile(root: string, pathname: string): Promise<string | typeof ADD_SLASH | null> {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // Each segment must be a plain name once decoded: no way up, no separator smuggled in.
    if (segment === '..' || segment.includes('/') || segment.includes('\\') || segment.includes('\u0000')) return null;
    if (segment !== '' && segment !== '.') segments.push(segment);
  }
  let path = join(root, ...segments);
  const info = await stat(path).catch(() => null);
  if (info === null) return null;
  if (info.isDirectory()) {
    if (!pathname.endsWith('/')) return ADD_SLASH;
    path = join(path, 'index.html');
  }
  // A symbolic link may point anywhere; only what really lies inside the folder is served.
  const real = await realpath(path).catch(() => null);
  if (real === null || (real !== root && !real.startsWith(root + sep))) return null;
  const file = await stat(real).catch(() => null);
  return file?.isFile() === true ? real : null;
}
