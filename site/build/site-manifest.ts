import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * `map/_manifest.json`: what a written site was built from, so `site build` on an unchanged
 * ledger writes nothing. Written last into the new site before it is swapped in, so a site with
 * a manifest is always whole; one without (a crash, an older portfarm) is simply built again.
 */
export const MANIFEST_PATH = 'map/_manifest.json';

export interface SourceOptions {
  readonly ledgerPath: string;
  readonly baseUrl: string;
  readonly logArchiveUrl?: string | undefined;
  readonly logArchiveDir?: string | undefined;
  readonly jsonWindowDays: number;
  /** The ETA snapshot and live link the port pages show: a new snapshot writes the site again. */
  readonly eta?: unknown;
}

const manifestSchema = z.object({
  v: z.literal(1),
  /** sha256 over the ledger's bytes, the options that shape the site and the generator's own source. */
  source: z.string(),
  /** What `site build` said when it wrote the site: said again when it writes nothing. */
  summary: z.object({
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
  }),
});

export type SiteManifest = z.infer<typeof manifestSchema>;

/**
 * The digest of everything the site is made from. The ledger is hashed before it is read for the
 * site: lines appended meanwhile are in the site but not in the digest, so the next build sees a
 * different digest and builds again, never the other way round.
 */
export async function sourceDigest(options: SourceOptions): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([options.baseUrl, options.logArchiveUrl ?? null, options.logArchiveDir ?? null, options.jsonWindowDays, options.eta ?? null]));
  hash.update(await generatorDigest());
  try {
    for await (const chunk of createReadStream(options.ledgerPath, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (caught) {
    // The ledger reader says what is wrong with a missing ledger; no site is ever built from none.
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return 'no ledger';
    throw caught;
  }
  return hash.digest('hex');
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
