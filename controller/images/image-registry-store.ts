import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { BACKENDS } from '../config/config-schema.ts';
import { applyImageCommand, type ImageCommand } from './apply-image-command.ts';
import { emptyPlatformImages, type PlatformImages } from './image-registry.ts';

const platformImagesSchema = z.strictObject({
  platform: z.string(),
  versions: z.array(
    z.strictObject({
      platform: z.string(),
      version: z.int().positive(),
      image: z.string(),
      backend: z.enum(BACKENDS),
      runnerVersion: z.string(),
      macportsVersion: z.string(),
      createdAt: z.string(),
      preparedFrom: z.string(),
    }),
  ),
  current: z.int().positive().nullable(),
  canary: z.strictObject({ version: z.int().positive(), sharePercent: z.int().min(1).max(99) }).nullable(),
  history: z.array(z.int().positive()),
  nextVersion: z.int().positive(),
});

export interface ImageRegistryStore {
  get(platform: string): PlatformImages;
  all(): readonly PlatformImages[];
  /** Applies one command in one transaction (BEGIN IMMEDIATE: concurrent CLI and controller serialise). */
  apply(platform: string, command: ImageCommand): PlatformImages;
  close(): void;
}

/**
 * The image registry on disk: one SQLite row per platform holding its PlatformImages. The rules
 * live in the pure `applyImageCommand`; this only makes each transition durable and atomic.
 */
export function openImageRegistryStore(path: string): ImageRegistryStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS image_platforms (platform TEXT PRIMARY KEY, state TEXT NOT NULL)');
  const select = db.prepare('SELECT state FROM image_platforms WHERE platform = ?');
  const selectAll = db.prepare('SELECT state FROM image_platforms ORDER BY platform');
  const upsert = db.prepare('INSERT INTO image_platforms (platform, state) VALUES (?, ?) ON CONFLICT (platform) DO UPDATE SET state = excluded.state');

  const read = (platform: string): PlatformImages => {
    const row = select.get(platform);
    if (row === undefined) return emptyPlatformImages(platform);
    return decode(row.state, path);
  };
  return {
    get: read,
    all: () => selectAll.all().map((row) => decode(row.state, path)),
    apply(platform, command) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const next = applyImageCommand(read(platform), command);
        upsert.run(platform, JSON.stringify(next));
        db.exec('COMMIT');
        return next;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    close: () => {
      db.close();
    },
  };
}

function decode(value: unknown, path: string): PlatformImages {
  const parsed = platformImagesSchema.safeParse(typeof value === 'string' ? JSON.parse(value) : value);
  if (!parsed.success) throw new Error(`image registry ${path} holds a row portfarm cannot read: ${parsed.error.message}`);
  return parsed.data;
}
