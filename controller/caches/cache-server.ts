import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, linkSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isSafeRelativePath, mirrorDistfilesDir, mirrorPackagesDir, quarantineDir, type CacheLayout } from './cache-layout.ts';
import { writeQuarantineExpiry } from './quarantine-expiry.ts';

export type UploadTarget =
  | { readonly kind: 'mirror' }
  | { readonly kind: 'quarantine'; readonly buildId: string; readonly expiresAt: string };

export interface CacheServer {
  /** `http://host:port/`: build VMs read `packages/` and `distfiles/` under it. */
  readonly url: string;
  /** A one-collection upload grant: the URL prefix a VM PUTs distfiles to, bound to one destination. */
  grant(target: UploadTarget): { readonly token: string; readonly uploadUrl: string };
  revoke(token: string): void;
  close(): Promise<void>;
}

/**
 * The mirror host's HTTP face. Reads are plain, read-only GET/HEAD of the mirror (no listing);
 * the only write is PUT under an upload grant, whose destination the controller chose (mirror
 * for a successful master build, the build's quarantine folder for a PR build). Files are never
 * overwritten (409), so a collection cannot replace what the mirror already serves.
 */
export async function createCacheServer(options: { readonly layout: CacheLayout; readonly host: string; readonly port: number }): Promise<CacheServer> {
  const grants = new Map<string, UploadTarget>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, `cache server error: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://cache').pathname);
    const [, area = '', ...rest] = path.split('/');
    const relative = rest.join('/');
    if (req.method === 'GET' || req.method === 'HEAD') {
      const root = area === 'packages' ? mirrorPackagesDir(options.layout) : area === 'distfiles' ? mirrorDistfilesDir(options.layout) : null;
      if (root === null || !isSafeRelativePath(relative)) {
        reply(res, 404, 'not found');
        return;
      }
      const file = join(root, relative);
      const size = statSync(file, { throwIfNoEntry: false });
      if (size === undefined || !size.isFile()) {
        reply(res, 404, 'not found');
        return;
      }
      res.writeHead(200, { 'content-length': size.size, 'content-type': 'application/octet-stream' });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      await pipeline(createReadStream(file), res);
      return;
    }
    if (req.method === 'PUT' && area === 'upload') {
      const [token = '', ...fileParts] = rest;
      const target = grants.get(token);
      if (target === undefined) {
        reply(res, 403, 'no such upload grant (expired or revoked)');
        return;
      }
      const name = fileParts.join('/');
      if (!isSafeRelativePath(name)) {
        reply(res, 400, `not a distfile path: ${JSON.stringify(name)}`);
        return;
      }
      const root = target.kind === 'mirror' ? mirrorDistfilesDir(options.layout) : quarantineDir(options.layout, target.buildId);
      const final = join(root, name);
      mkdirSync(dirname(final), { recursive: true });
      const temp = `${final}.${randomBytes(6).toString('hex')}.part`;
      await pipeline(req, createWriteStream(temp, { flags: 'wx' }));
      try {
        linkSync(temp, final); // fails with EEXIST: never overwrite
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          // The same bytes again (a retried collection) succeed; different bytes never replace a distfile.
          if ((await sha256(temp)) === (await sha256(final))) reply(res, 200, 'already stored');
          else reply(res, 409, `${name} exists with different content; distfiles are never replaced`);
          return;
        }
        throw error;
      } finally {
        unlinkSync(temp);
      }
      reply(res, 201, 'stored');
      return;
    }
    res.setHeader('allow', 'GET, HEAD, PUT');
    reply(res, 405, 'read-only: only GET/HEAD of packages/ and distfiles/, and PUT under an upload grant');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}/`;
  return {
    url,
    grant(target) {
      const token = randomBytes(16).toString('hex');
      if (target.kind === 'quarantine') writeQuarantineExpiry(options.layout, target.buildId, target.expiresAt);
      grants.set(token, target);
      return { token, uploadUrl: `${url}upload/${token}/` };
    },
    revoke(token) {
      grants.delete(token);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}
