import { escapeHtml } from './escape-html.ts';
import { pageHtml } from './page-html.ts';

/**
 * The router page (`index.html`, `404.html`, `builders/<b>/builds/-1/`): its script looks the
 * address up in /map/. Without JavaScript it says where the builds are listed, and when the
 * target is known in advance (`fallback`) a meta refresh inside <noscript> goes there.
 */
export function routerHtml(base: string, script: string, fallback?: { readonly url: string; readonly label: string }): string {
  const builders = `${base}builders/`;
  const refresh = fallback === undefined ? '' : `<meta http-equiv="refresh" content="0; url=${escapeHtml(fallback.url)}">`;
  const head = `<noscript>${refresh}<style>#looking{display:none}</style></noscript>`;
  const noscript =
    fallback === undefined
      ? `<noscript><p>This address is looked up by a script, and JavaScript is off. Every build is listed, with links to its logs, under <a href="${escapeHtml(builders)}">the builders</a>.</p></noscript>`
      : `<noscript><p>Going to <a id="fallback" href="${escapeHtml(fallback.url)}">${escapeHtml(fallback.label)}</a>.</p></noscript>`;
  return pageHtml({
    title: 'MacPorts build logs',
    base,
    head,
    body: `<p id="looking">Looking up this build…</p>${noscript}`,
    script,
  });
}
