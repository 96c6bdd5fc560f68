import { escapeHtml } from './escape-html.ts';

export interface PageParts {
  readonly title: string;
  readonly base: string;
  /** Trusted markup for <head> (already escaped). */
  readonly head?: string;
  /** Trusted markup for <main> (already escaped). */
  readonly body: string;
  /** The router bundle, when the page looks the address up itself. */
  readonly script?: string;
  /**
   * `<base href>` for a page whose many links share a start (a range page's log links): each
   * link then carries only its own part. The footer's links to the site are then written on
   * `siteUrl`, the site's published address, since `base` would resolve against the other origin.
   */
  readonly linkBase?: { readonly href: string; readonly siteUrl: string };
}

const STYLE = [
  'body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}',
  'code,pre{font:13px ui-monospace,monospace}pre{white-space:pre-wrap}',
  'table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}',
  '.success td:nth-child(2){color:#176f2c}.failure td:nth-child(2){color:#b00020}.cancelled td:nth-child(2){color:#777}',
].join('');

/** The one HTML shell every page of the site uses. */
export function pageHtml(parts: PageParts): string {
  const script = parts.script === undefined ? '' : `<script>${parts.script}</script>`;
  const home = parts.linkBase !== undefined && /^https?:/i.test(parts.linkBase.href) ? new URL(parts.base, parts.linkBase.siteUrl).href : parts.base;
  const baseTag = parts.linkBase === undefined ? '' : `<base href="${escapeHtml(parts.linkBase.href)}">`;
  return (
    `<!doctype html>\n<html lang="en" data-base="${escapeHtml(parts.base)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `${baseTag}<title>${escapeHtml(parts.title)}</title><style>${STYLE}</style>${parts.head ?? ''}</head>` +
    `<body><main id="main">${parts.body}</main>` +
    `<footer><p><a href="${escapeHtml(home)}">MacPorts build logs</a> · <a href="${escapeHtml(home)}builders/">all builders</a></p></footer>` +
    `${script}</body></html>\n`
  );
}
