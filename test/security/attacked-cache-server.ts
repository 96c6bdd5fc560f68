import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { CacheLayout } from '../../controller/caches/cache-layout.ts';
import { createCacheServer, type CacheServer } from '../../controller/caches/cache-server.ts';
import { EventRejections } from '../../controller/github/event-rejections.ts';

export interface AttackedCacheServer {
  readonly dir: string;
  readonly layout: CacheLayout;
  /** Every line the server logged, parsed. */
  readonly logged: Record<string, unknown>[];
  readonly rejections: EventRejections;
  readonly server: CacheServer;
}

/**
 * A cache server on loopback over a fresh mirror and quarantine, its refusals counted and its
 * log kept, removed after the test file. `prepare` fills the folders before the server starts.
 */
export async function attackedCacheServer(prefix: string, prepare: (layout: CacheLayout) => void = () => undefined): Promise<AttackedCacheServer> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const layout: CacheLayout = { mirrorRoot: join(dir, 'mirror'), quarantineRoot: join(dir, 'quarantine') };
  prepare(layout);
  const logged: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => { logged.push(JSON.parse(line) as Record<string, unknown>); } });
  const rejections = new EventRejections({ registry: new Registry(), log });
  const server = await createCacheServer({ layout, host: '127.0.0.1', port: 0, rejections });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, layout, logged, rejections, server };
}
