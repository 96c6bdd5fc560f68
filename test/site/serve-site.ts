import { createServer } from 'node:http';
import { startSitePreview } from '../../site/preview/serve-static-site.ts';
import { listenOn } from '../../controller/net/listen-on.ts';

export interface StaticSite {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a built site the way GitHub Pages does, with the product's own preview server
 * (`portfarm site serve`): files as they are, `index.html` for a folder, `/404.html` with status
 * 404 for anything else. The browser tests and the site bench therefore also test the preview.
 */
export async function serveSite(root: string): Promise<StaticSite> {
  const preview = await startSitePreview({ dir: root, host: '127.0.0.1', port: 0 });
  return { url: preview.url.replace(/\/$/, ''), close: () => preview.close() };
}

/** A log archive double: answers every path with a text naming it, as the object store would. */
export async function serveArchive(): Promise<StaticSite> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`archived ${url.pathname}\n`);
  });
  const { port } = await listenOn(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}
