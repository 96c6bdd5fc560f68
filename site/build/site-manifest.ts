import { createHash, randomUUID, type Hash } from 'node:crypto';
import { open, readdir, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * `map/_manifest.json`: what a written site was built from, so `site build` on an unchanged
 * ledger writes nothing and on a ledger that has only grown writes only what the new lines touch
 * (`updateSite`). It is written last (into the new site before it is swapped in, or in place
 * after an update's other files), and an update removes it before its first write: a site with
 * a manifest is always whole; one without (a crash, an older portfarm) is built again.
 */
export const MANIFEST_PATH = 'map/_manifest.json';

export interface SourceOptions {
  readonly baseUrl: string;
  readonly logArchiveUrl?: string | undefined;
  readonly logArchiveDir?: string | undefined;
  readonly jsonWindowDays: number;
}

const summarySchema = z.object({
  builds: z.number(),
  builders: z.number(),
  shards: z.number(),
  ports: z.number(),
  files: z.number(),
  jsonFiles: z.number(),
  filesLogs: z.number(),
  largestShard: z.object({ path: z.string(), bytes: z.number() }),
  duplicates: z.number(),
  firstDuplicate: z.object({ line: z.number(), builder: z.string(), number: z.number() }).optional(),
});

/** A finish time in epoch milliseconds; null for none yet (a builder whose builds have no time). */
const atSchema = z.number().nullable();

const manifestSchema = z.object({
  v: z.literal(2),
  /** sha256 over the options that shape the site and the generator's own source. */
  options: z.string(),
  /**
   * sha256 of the ETA snapshot and live link the port pages show (`etaDigest`); absent: built
   * without one. Not part of `options`: a new snapshot updates the port files and the index in
   * place, not the whole site.
   */
  eta: z.string().optional(),
  /** The ledger's whole lines the site holds: bytes 0 … bytes-1, `lines` lines, their sha256. */
  ledger: z.object({ bytes: z.number().int().nonnegative(), lines: z.number().int().nonnegative(), digest: z.string() }),
  /** What `site build` said when it wrote the site: said again when it writes nothing. */
  summary: summarySchema,
  /** What the next lines need that the files do not keep. */
  state: z.object({
    /** Per platform, its watcher recorded last: builds without a watcher name it. */
    lastWatcher: z.record(z.string(), z.tuple([z.string(), z.number()])),
    /** Per builder, its JSON window: the newest finish time and each window build's number and time, in ledger order. */
    window: z.record(z.string(), z.object({ newest: atSchema, builds: z.array(z.tuple([z.number(), atSchema])) })),
    /** Build ids kept by hash (`/map/_ids/<n>.json`): their number decides the bucket count. */
    hashedIds: z.number().int().nonnegative(),
    /** The port files (lower-case names) with builds pending as of the ETA snapshot: a new snapshot visits them again. */
    pendingPorts: z.array(z.string()).readonly(),
  }),
});

export type SiteManifest = z.infer<typeof manifestSchema>;
export type ManifestState = SiteManifest['state'];

/** The digest of the options and the generator: a site is updated in place only when both are as before. */
export async function optionsDigest(options: SourceOptions): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([options.baseUrl, options.logArchiveUrl ?? null, options.logArchiveDir ?? null, options.jsonWindowDays]));
  hash.update(await generatorDigest());
  return hash.digest('hex');
}

/** The digest of the ETA snapshot and live link a site is built with; undefined without one. */
export function etaDigest(eta: unknown): string | undefined {
  return eta === undefined ? undefined : createHash('sha256').update(JSON.stringify(eta)).digest('hex');
}

/** Bytes read at a time when hashing the ledger's prefix, into one buffer used again and again. */
const PREFIX_CHUNK = 4 << 20;

/**
 * sha256 over the ledger's first `bytes` bytes (a hash to compare with `copy().digest()` and go
 * on with), or undefined when the ledger is shorter (it was replaced, not appended to) or
 * missing (the ledger reader says what is wrong with that). Every byte of the prefix is hashed,
 * so an edit anywhere in it builds the site whole; read into one reused buffer, not a stream's
 * fresh one per chunk (at 640 MB that was three quarters of the hashing's CPU: page faults and
 * garbage).
 */
export async function ledgerPrefixHash(ledgerPath: string, bytes: number): Promise<Hash | undefined> {
  const hash = createHash('sha256');
  let read = 0;
  let file: FileHandle;
  try {
    file = await open(ledgerPath, 'r');
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw caught;
  }
  try {
    if ((await file.stat()).isDirectory()) return undefined;
    const buffer = Buffer.allocUnsafe(Math.min(PREFIX_CHUNK, Math.max(bytes, 1)));
    while (read < bytes) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, bytes - read), read);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      read += bytesRead;
    }
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw caught;
  } finally {
    await file.close();
  }
  return read === bytes ? hash : undefined;
}

export async function readManifest(siteDir: string): Promise<SiteManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(siteDir, MANIFEST_PATH), 'utf8');
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw caught;
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not JSON (cut short by hand, another tool): the site is built again.
    return undefined;
  }
}

let generator: Promise<string> | undefined;

/** The site code's own source: a new portfarm (router, pages, format) writes the site again. */
async function generatorDigest(): Promise<string> {
  generator ??= (async () => {
    const hash = createHash('sha256');
    const root = join(import.meta.dirname, '..');
    try {
      for (const folder of ['build', 'lookup', 'router', 'ledger']) {
        const names = (await readdir(join(root, folder))).filter((name) => name.endsWith('.ts')).sort();
        for (const name of names) hash.update(`${folder}/${name}\0`).update(await readFile(join(root, folder, name)));
      }
    } catch (caught) {
      if ((caught as NodeJS.ErrnoException).code !== 'ENOENT') throw caught;
      // Run from a bundle without its sources: every run counts as a new generator and writes the site.
      hash.update(randomUUID());
    }
    return hash.digest('hex');
  })();
  return generator;
}
