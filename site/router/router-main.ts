// The router page's script (bundled into index.html and 404.html by `portfarm site build`):
// every address the host does not have a file for lands here and is looked up in /map/.
import { resolveLegacyUrl } from '../lookup/resolve-legacy-url.ts';
import { renderPage } from './render-page.ts';

async function readJson(base: string, sitePath: string): Promise<unknown> {
  const response = await fetch(`${base}${sitePath}`);
  if (!response.ok) return undefined;
  return response.json();
}

async function route(): Promise<void> {
  const base = document.documentElement.dataset.base ?? '/';
  const resolution = await resolveLegacyUrl(location.href, (path) => readJson(base, path), base);
  if (resolution.kind === 'redirect') {
    location.replace(resolution.location);
    return;
  }
  renderPage(resolution, base);
  document.body.dataset.state = 'ready';
}

route().catch((caught: unknown) => {
  const main = document.getElementById('main');
  if (main !== null) main.textContent = `The build lookup failed: ${caught instanceof Error ? caught.message : String(caught)}. Reload to try again.`;
  document.body.dataset.state = 'failed';
});
