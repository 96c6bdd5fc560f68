import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, linkSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { EventRejections } from '../github/event-rejections.ts';
import { admitMirrorUpload, checkReceivedDistfile, type MirrorUploadRefusal } from './admit-mirror-upload.ts';
import { isSafeRelativePath, mirrorDistfilesDir, mirrorPackagesDir, quarantineDir, type CacheLayout } from './cache-layout.ts';
import type { ExpectedDistfile } from './expected-distfile.ts';
import { DEFAULT_QUARANTINE_BUDGET, QuarantineAllowance, type QuarantineBudget, type QuarantineRefusal } from './quarantine-budget.ts';
import { writeQuarantineExpiry } from './quarantine-expiry.ts';
import { receiveUpload, UploadTooLarge } from './receive-upload.ts';
import { listenOn } from '../net/listen-on.ts';

/**
 * Where a grant's uploads go. A mirror grant names every file it may store, with its size and
 * sha256 (the built port's checksums); a quarantine grant (PR builds) takes any plain path under
 * the build's own quarantine folder, which no build reads from, up to its budget (default
 * `DEFAULT_QUARANTINE_BUDGET`).
 */
export type UploadTarget =
  | { readonly kind: 'mirror'; readonly buildId: string; readonly files: readonly ExpectedDistfile[] }
  | { readonly kind: 'quarantine'; readonly buildId: string; readonly expiresAt: string; readonly budget?: QuarantineBudget };

interface Grant {
  readonly target: UploadTarget;
  /** Quarantine grants only: what the build has stored so far. */
  readonly allowance: QuarantineAllowance | null;
}

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
 * for a successful master build, the build's quarantine folder for a PR build). A mirror upload
 * must be a file its grant names and exactly its bytes (size and sha256, checked before it is
 * linked into the mirror); anything else is refused and counted in `rejections`. Files are never
 * overwritten (409), so a collection cannot replace what the mirror already serves.
 */
export async function createCacheServer(options: {
  readonly layout: CacheLayout;
  readonly host: string;
  readonly port: number;
  readonly rejections: EventRejections;
}): Promise<CacheServer> {
  const grants = new Map<string, Grant>();
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
      const grant = grants.get(token);
      if (grant === undefined) {
        options.rejections.reject('upload-unknown-grant', req.socket.remoteAddress ?? 'unknown peer', { path });
        refuse(req, res, 403, 'no such upload grant (expired or revoked)');
        return;
      }
      const { target, allowance } = grant;
      const name = fileParts.join('/');
      if (!isSafeRelativePath(name)) {
        options.rejections.reject(`${target.kind}-unsafe-path`, `${target.buildId} ${JSON.stringify(name)}`, { buildId: target.buildId, file: name });
        refuse(req, res, 400, `not a distfile path: ${JSON.stringify(name)}`);
        return;
      }
      const refuseMirror = (refusal: MirrorUploadRefusal): void => {
        options.rejections.reject(refusal.reason, `${target.buildId} ${name}`, { buildId: target.buildId, file: name, why: refusal.message });
        refuse(req, res, refusal.status, refusal.message);
      };
      // Logged once per build (its subject), counted every time: a flood of PUTs is one log line.
      const refuseQuarantine = (refusal: QuarantineRefusal): void => {
        const reason = refusal.status === 429 ? 'quarantine-concurrent-upload' : 'quarantine-over-budget';
        options.rejections.reject(reason, target.buildId, { buildId: target.buildId, file: name, why: refusal.message });
        refuse(req, res, refusal.status, refusal.message);
      };
      const length = req.headers['content-length'];
      const declared = length === undefined ? undefined : Number(length);
      let planned: ExpectedDistfile | undefined;
      let limit = Number.POSITIVE_INFINITY;
      if (target.kind === 'mirror') {
        const admitted = admitMirrorUpload(target.files, name, declared);
        if ('reason' in admitted) {
          refuseMirror(admitted);
          return;
        }
        planned = admitted;
        limit = planned.size;
      } else if (allowance !== null) {
        const started = allowance.begin(name, declared);
        if ('status' in started) {
          refuseQuarantine(started);
          return;
        }
        limit = started.limit;
      }
      let storedBytes: number | null = null;
      const root = target.kind === 'mirror' ? mirrorDistfilesDir(options.layout) : quarantineDir(options.layout, target.buildId);
      const final = join(root, name);
      const temp = `${final}.${randomBytes(6).toString('hex')}.part`;
      try {
        mkdirSync(dirname(final), { recursive: true });
        let received: { readonly size: number; readonly sha256: string };
        try {
          received = await receiveUpload(req, temp, limit);
        } catch (error) {
          if (!(error instanceof UploadTooLarge)) throw error;
          if (planned !== undefined) refuseMirror({ status: 400, reason: 'mirror-size-mismatch', message: `${name} is larger than the ${planned.size} bytes its checksums say; nothing stored` });
          else if (allowance !== null) refuseQuarantine(allowance.cutOff(name, limit));
          else throw error;
          return;
        }
        const wrong = planned === undefined ? undefined : checkReceivedDistfile(planned, received);
        if (wrong !== undefined) {
          refuseMirror(wrong);
          return;
        }
        try {
          linkSync(temp, final); // fails with EEXIST: never overwrite
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          // The same bytes again (a retried collection) succeed; different bytes never replace a distfile.
          if (received.sha256 === (await sha256(final))) reply(res, 200, 'already stored');
          else reply(res, 409, `${name} exists with different content; distfiles are never replaced`);
          return;
        }
        storedBytes = received.size;
      } finally {
        rmSync(temp, { force: true });
        allowance?.end(storedBytes);
      }
      reply(res, 201, 'stored');
      return;
    }
    res.setHeader('allow', 'GET, HEAD, PUT');
    reply(res, 405, 'read-only: only GET/HEAD of packages/ and distfiles/, and PUT under an upload grant');
  }

  const address = await listenOn(server, options.port, options.host);
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}/`;
  return {
    url,
    grant(target) {
      const token = randomBytes(16).toString('hex');
      if (target.kind === 'quarantine') writeQuarantineExpiry(options.layout, target.buildId, target.expiresAt);
      grants.set(token, { target, allowance: target.kind === 'quarantine' ? new QuarantineAllowance(target.budget ?? DEFAULT_QUARANTINE_BUDGET) : null });
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

/** Answers a refused upload without reading its body, and closes the connection so the rest is never stored anywhere. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  res.setHeader('connection', 'close');
  reply(res, status, text);
  res.on('finish', () => {
    if (!req.complete) req.destroy();
  });
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
