import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../controller/errors/user-error.ts';
import { resolveLegacyUrl } from '../lookup/resolve-legacy-url.ts';
import { INDEX_PATH, type SiteIndex } from '../lookup/site-map.ts';

export interface ResolvedInSite {
  /** What `site resolve` prints: the URL the browser ends up at, or the JSON a JSON path answers. */
  readonly output: string;
  readonly note?: string;
}

/**
 * `portfarm site resolve`: the router page's lookup, run over the site's files instead of HTTP.
 * Site paths in the answer are made absolute with the site's base URL.
 */
export async function resolveInSite(siteDir: string, address: string): Promise<ResolvedInSite> {
  const readJson = async (sitePath: string): Promise<unknown> => {
    try {
      return JSON.parse(await readFile(join(siteDir, sitePath), 'utf8')) as unknown;
    } catch (caught) {
      if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read ${join(siteDir, sitePath)}`, { cause: caught });
    }
  };
  const index = (await readJson(INDEX_PATH)) as SiteIndex | undefined;
  if (index === undefined) throw new UserError(`${siteDir} holds no site (no ${INDEX_PATH}); pass the --out folder of portfarm site build to --site`);
  const absolute = (location: string): string => new URL(location, index.baseUrl).href;
  const resolution = await resolveLegacyUrl(address, readJson, index.basePath);
  switch (resolution.kind) {
    case 'redirect':
      return { output: absolute(resolution.location), ...(resolution.note === undefined ? {} : { note: resolution.note }) };
    case 'json':
      return { output: JSON.stringify(resolution.body) };
    case 'home':
      return { output: absolute(index.basePath) };
    case 'port':
      return { output: absolute(new URL(address, 'http://site.invalid/').pathname) };
    case 'unknown': {
      const lines = [`${resolution.asked}: not found: ${resolution.reason}`];
      if (resolution.nearest.length > 0) {
        lines.push(`nearest builds: ${resolution.nearest.map((n) => `${n.number}${n.port === undefined ? '' : ` (${n.port})`}`).join(', ')}`);
      }
      if (resolution.builders.length > 0) lines.push(`builders: ${resolution.builders.join(', ')}`);
      throw new UserError(lines.join('\n'), { exitCode: 1 });
    }
  }
}
