import type { BuildJson } from '../lookup/build-json.ts';
import type { NearBuild, Resolution } from '../lookup/resolve-legacy-url.ts';
import type { PortBuild, PortSummary, SiteIndex } from '../lookup/site-map.ts';
import type { PendingView } from '../lookup/describe-pending.ts';
import { createElement as h } from './create-element.ts';

/** Replaces the router page's content with what the lookup found (everything but redirects). */
export function renderPage(resolution: Exclude<Resolution, { kind: 'redirect' }>, base: string): void {
  const main = document.getElementById('main');
  if (main === null) return;
  main.replaceChildren();
  switch (resolution.kind) {
    case 'json':
      renderJson(main, resolution.body);
      break;
    case 'home':
      renderHome(main, resolution.index, base);
      break;
    case 'port':
      renderPort(main, resolution.port, resolution.summary, resolution.pending, base);
      break;
    case 'unknown':
      renderUnknown(main, resolution, base);
      break;
  }
}

function renderJson(main: HTMLElement, body: BuildJson): void {
  document.title = `${body.builderName} build ${body.number} (JSON)`;
  main.append(h('pre', { id: 'json' }, JSON.stringify(body, null, 2)));
}

function renderHome(main: HTMLElement, index: SiteIndex | undefined, base: string): void {
  document.title = 'MacPorts build logs';
  main.append(h('h1', {}, 'MacPorts build logs'), searchForm(base, ''));
  if (index === undefined) return;
  main.append(
    h('p', {}, `${index.builds.toLocaleString('en')} builds of ${Object.keys(index.builders).length} builders, ${index.ports.toLocaleString('en')} ports.`),
    builderList(Object.keys(index.builders), base),
  );
}

function renderPort(main: HTMLElement, port: string, summary: PortSummary, pending: PendingView, base: string): void {
  document.title = `${port} — MacPorts builds`;
  main.append(h('h1', {}, port), h('h2', {}, 'Pending builds'), h('p', { id: 'pending-as-of' }, pending.heading));
  if (pending.rows.length > 0) {
    const head = h('tr', {}, h('th', {}, 'platform'), h('th', {}, 'place'), h('th', {}, 'estimated ready'));
    main.append(h('table', { id: 'pending' }, head, ...pending.rows.map((r) => h('tr', {}, h('td', {}, r.platform), h('td', {}, r.place), h('td', {}, r.ready)))));
  }
  if (pending.live !== undefined) main.append(h('p', { id: 'pending-live' }, "The controller's answer now: ", h('a', { href: pending.live }, pending.live)));
  main.append(
    h('h2', {}, 'Latest build per platform'),
    buildTable(summary.latest, base, 'latest'),
    h('h2', {}, 'Recent builds'),
    buildTable(summary.recent, base, 'recent'),
  );
}

function buildTable(builds: readonly PortBuild[], base: string, id: string): HTMLElement {
  const rows = builds.map((b) =>
    h(
      'tr',
      { class: b.result ?? 'unknown' },
      h('td', {}, b.platform),
      h('td', {}, b.result ?? '?'),
      h('td', {}, h('a', { href: `${base}builders/${b.builder}/builds/${b.number}` }, `${b.builder} #${b.number}`)),
      h('td', {}, b.finishedAt ?? ''),
    ),
  );
  return h('table', { id }, h('tr', {}, h('th', {}, 'platform'), h('th', {}, 'result'), h('th', {}, 'build'), h('th', {}, 'finished')), ...rows);
}

function renderUnknown(main: HTMLElement, unknown: Extract<Resolution, { kind: 'unknown' }>, base: string): void {
  document.title = 'Not on this site — MacPorts build logs';
  main.append(
    h('h1', {}, 'Not on this site'),
    h('p', { id: 'asked' }, 'You asked for ', h('code', {}, unknown.asked)),
    h('p', { id: 'reason' }, `Not found: ${unknown.reason}.`),
  );
  if (unknown.nearest.length > 0) {
    main.append(h('h2', {}, 'Nearest builds'), h('ul', { id: 'nearest' }, ...unknown.nearest.map((n) => h('li', {}, nearLink(n)))));
  }
  if (unknown.builders.length > 0) main.append(h('h2', {}, 'Builders'), builderList(unknown.builders, base));
  main.append(h('h2', {}, 'Search by port'), searchForm(base, unknown.port ?? ''));
}

function nearLink(near: NearBuild): HTMLElement {
  const detail = [near.port, near.result].filter((x) => x !== undefined).join(', ');
  return h('a', { href: near.path }, `${near.builder} #${near.number}${detail === '' ? '' : ` (${detail})`}`);
}

function builderList(builders: readonly string[], base: string): HTMLElement {
  return h('ul', { id: 'builders' }, ...builders.map((b) => h('li', {}, h('a', { href: `${base}builders/${b}/` }, b))));
}

function searchForm(base: string, value: string): HTMLElement {
  const input = h('input', { name: 'port', id: 'port', placeholder: 'port name, e.g. curl', value, autocomplete: 'off' });
  const form = h('form', { id: 'search' }, h('label', { for: 'port' }, 'Port '), input, h('button', { type: 'submit' }, 'Show builds'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const port = (input as HTMLInputElement).value.trim();
    if (port !== '') location.assign(`${base}ports/${encodeURIComponent(port)}/`);
  });
  return form;
}
