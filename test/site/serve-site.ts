import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.js': 'text/javascript',
};

export interface StaticSite {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Serves a folder the way GitHub Pages does: files as they are, `index.html` for a folder (a
 * folder without its slash is redirected to it), and `/404.html` with status 404 for anything
 * else. Paths are case-sensitive, like Pages.
 */
export async function serveSite(root: string): Promise<StaticSite> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = async (): Promise<void> => {
      let path: string;
      try {
        path = normalize(decodeURIComponent(url.pathname));
      } catch {
        path = '/__bad__';
      }
      let file = join(root, path);
      const info = await stat(file).catch(() => undefined);
      if (info?.isDirectory() === true) {
        if (!url.pathname.endsWith('/')) {
          response.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
          return;
        }
        file = join(file, 'index.html');
      }
      const found = info !== undefined && (await stat(file).catch(() => undefined))?.isFile() === true;
      const served = found ? file : join(root, '404.html');
      response.writeHead(found ? 200 : 404, { 'content-type': TYPES[extname(served)] ?? 'application/octet-stream' });
      createReadStream(served).pipe(response);
    };
    send().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}

/** A log archive double: answers every path with a text naming it, as the object store would. */
export async function serveArchive(): Promise<StaticSite> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`archived ${url.pathname}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}
