import type { Config } from '../config/config-schema.ts';
import type { CacheLayout } from '../caches/cache-layout.ts';
import { createCacheServer, type CacheServer } from '../caches/cache-server.ts';
import type { QuarantineBudget } from '../caches/quarantine-budget.ts';
import { coerceError } from '../errors/coerce-error.ts';
import { UserError } from '../errors/user-error.ts';
import type { EventRejections } from '../github/event-rejections.ts';

export interface BuildCache {
  readonly layout: CacheLayout;
  readonly server: CacheServer;
  /** What one PR build may put into quarantine (`caches.quarantineMaxGiB`, `quarantineMaxFiles`). */
  readonly quarantineBudget: QuarantineBudget;
}

/** The build cache's HTTP face (mirror reads, distfile uploads), only when the config names its folder and address; else null. */
export async function startBuildCache(caches: Config['caches'], rejections: EventRejections): Promise<BuildCache | null> {
  const server = caches.server;
  if (server === undefined || caches.mirrorDir === undefined) return null;
  const layout: CacheLayout = { mirrorRoot: caches.mirrorDir, quarantineRoot: caches.quarantineDir };
  try {
    const quarantineBudget: QuarantineBudget = { maxBytes: caches.quarantineMaxGiB * 1024 ** 3, maxFiles: caches.quarantineMaxFiles };
    return { layout, server: await createCacheServer({ layout, host: server.host, port: server.port, rejections }), quarantineBudget };
  } catch (error) {
    throw new UserError(`cannot start the cache server on ${server.host}:${String(server.port)} (caches.server): ${coerceError(error).message}`, { cause: error });
  }
}
