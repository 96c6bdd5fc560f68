import { BUILDS_PER_SHARD, type BuilderSummary, type MapShard } from '../lookup/site-map.ts';
import { escapeHtml } from './escape-html.ts';
import { pageHtml } from './page-html.ts';

/*
 * Pre-rendered pages that work without JavaScript: the builder list, one page per builder and
 * one page per thousand builds listing each build with a direct link to its archived build page. Their
 * number grows with shards, not builds (about 1 file per 1,000 builds).
 */

export function buildersIndexHtml(base: string, builders: ReadonlyMap<string, BuilderSummary>): string {
  const rows = [...builders]
    .map(([name, s]) => `<tr><td><a href="${escapeHtml(`${base}builders/${name}/`)}">${escapeHtml(name)}</a></td><td>${s.count}</td><td>${s.first}–${s.latest}</td></tr>`)
    .join('');
  return pageHtml({
    title: 'Builders — MacPorts build logs',
    base,
    body: `<h1>Builders</h1><table id="builders"><tr><th>builder</th><th>builds</th><th>numbers</th></tr>${rows}</table>`,
  });
}

export function builderHtml(base: string, name: string, summary: BuilderSummary, latest: { readonly number: number; readonly url: string; readonly port?: string | undefined; readonly result?: string | undefined } | undefined): string {
  const ranges = summary.shards
    .map((k) => `<li><a href="${escapeHtml(`${base}builders/${name}/range/${k}/`)}">builds ${k * BUILDS_PER_SHARD}–${k * BUILDS_PER_SHARD + BUILDS_PER_SHARD - 1}</a></li>`)
    .join('');
  const latestLine =
    latest === undefined
      ? ''
      : `<p id="latest">Latest: <a href="${escapeHtml(latest.url)}">build ${latest.number}</a>${latest.port === undefined ? '' : ` of ${escapeHtml(latest.port)}`}${latest.result === undefined ? '' : ` (${latest.result})`}</p>`;
  return pageHtml({
    title: `${name} — MacPorts build logs`,
    base,
    body: `<h1>${escapeHtml(name)}</h1><p>${summary.count} builds, numbered ${summary.first} to ${summary.latest}.</p>${latestLine}<ul id="ranges">${ranges}</ul>`,
  });
}

/**
 * Builds of one shard, each linked to its archived build page (which lists its logs). Step-log
 * links are left out: at a thousand rows per page they tripled the bytes and the build time.
 * Rows are as short as HTML allows (end tags it implies left out, the links' common start in
 * `<base href>`): range pages were half the site's bytes, and 5,000,000 builds must fit in 1 GB.
 */
export function rangeHtml(base: string, shard: MapShard, siteUrl: string): string {
  const prefix = shard.prefix ?? '';
  const baseHref = linkBaseOf(prefix);
  const kept = prefix.slice(baseHref?.length ?? 0);
  const rows: string[] = [];
  for (const [n, b] of Object.entries(shard.builds)) {
    const own = kept + b.url;
    const href = baseHref !== undefined && RELATIVE_SAFE.test(own) && !DOT_SEGMENT.test(own) ? own : prefix + b.url;
    const result = b.result ?? 'unknown';
    rows.push(`<tr id=b${n} class=${result}><td><a href="${escapeHtml(href)}">${n}</a><td>${escapeHtml(b.port ?? '')}<td>${b.result ?? ''}\n`);
  }
  const from = shard.shard * BUILDS_PER_SHARD;
  const name = shard.builder;
  return pageHtml({
    title: `${name} builds ${from}–${from + BUILDS_PER_SHARD - 1}`,
    base,
    ...(baseHref === undefined ? {} : { linkBase: { href: baseHref, siteUrl } }),
    body: `<h1>${escapeHtml(name)}: builds ${from}–${from + BUILDS_PER_SHARD - 1}</h1><table id="builds"><tr><th>build</th><th>port</th><th>result</th></tr>\n${rows.join('')}</table>`,
  });
}

/** A relative link that resolves against `<base href>` to exactly the base followed by it. */
const RELATIVE_SAFE = /^[A-Za-z0-9_~+-][A-Za-z0-9._~/+%-]*$/;
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/** The shard prefix up to its last `/`, when it is an http(s) URL or a path on the site: what `<base href>` can hold. */
function linkBaseOf(prefix: string): string | undefined {
  const cut = prefix.lastIndexOf('/');
  if (cut === -1) return undefined;
  const href = prefix.slice(0, cut + 1);
  if (/^https?:\/\/[^/]+\//i.test(href) || /^\/(?!\/)/.test(href)) return href;
  return undefined;
}
