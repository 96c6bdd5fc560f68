/**
 * Absolute URLs are kept. A relative one names an archived copy: below site.logArchiveUrl when
 * configured, else below the site itself (its `/logs/…` folder).
 */
export function targetResolver(base: string, logArchiveUrl: string | undefined): (url: string) => string {
  const archive = logArchiveUrl === undefined ? undefined : logArchiveUrl.endsWith('/') ? logArchiveUrl : `${logArchiveUrl}/`;
  return (url) => {
    if (/^https?:\/\//i.test(url)) return url;
    const path = url.replace(/^\/+/, '');
    if (archive === undefined) return `${base}${path}`;
    // Plain paths are joined as text; new URL() is for the rest (dot segments, escapes), and slow.
    return SIMPLE_PATH.test(path) && !/(^|\/)\.\.?(\/|$)/.test(path) ? archive + path : new URL(path, archive).href;
  };
}

const SIMPLE_PATH = /^[A-Za-z0-9._~/+-]*$/;

/** `https://build.macports.org` → `/`; `https://macports.github.io/builds` → `/builds/`. */
export function basePathOf(baseUrl: string): string {
  const path = new URL(baseUrl).pathname;
  return path.endsWith('/') ? path : `${path}/`;
}
