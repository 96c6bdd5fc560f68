/**
 * Whether a ledger URL can only lead where the ledger meant: an absolute http(s) URL with a
 * host, or a path on the site that no browser reads as another origin. Browsers treat `\` like
 * `/` and drop tabs and newlines inside URLs, so `/\evil.example/x`, `/\t/evil.example/x` and
 * `//evil.example/x` all leave the site, and a scheme (`javascript:`) runs code: none of them is
 * accepted. Pure and free of node APIs: the router page ships it to check before it redirects.
 */
/** White space (any kind) or a control character: anything but printable ASCII and non-ASCII, or Unicode white space. */
const BAD_CHARACTER = /[^\u0021-\u007e\u0080-\uffff]|\s/;
const ABSOLUTE = /^https?:\/\/[^/?#\s]/i;
const PLAIN_PATH = /^\/?[A-Za-z0-9._~%-][A-Za-z0-9._~%!$&'()*+,;=:@/-]*(?:[?#].*)?$/;

export function isSafeTargetUrl(value: unknown): value is string {
  return typeof value === 'string' && explainUnsafeTarget(value) === null;
}

/** Why `value` is not a safe target (the fix included), or null when it is one. */
export function explainUnsafeTarget(value: string): string | null {
  if (value === '') return 'is empty; record the URL of the archived log or build page';
  // Control characters (U+0000–U+001F, U+007F) and white space: browsers strip or split on them.
  if (BAD_CHARACTER.test(value)) return 'contains white space or a control character; percent-encode it';
  if (value.includes('\\')) return 'contains a backslash, which browsers read as "/" (so "/\\host" is another site); use "/"';
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    return ABSOLUTE.test(value) ? null : 'must be an http(s) URL or a path on the site';
  }
  if (value.startsWith('//')) return 'starts with "//", which browsers read as another site; use https://host/… or one "/"';
  // The usual site path (`/logs/…`, `logs/…`) needs no parse; anything else must stay on the site it is resolved against.
  if (PLAIN_PATH.test(value)) return null;
  const base = 'https://site.invalid/base/';
  if (!URL.canParse(value, base) || new URL(value, base).origin !== 'https://site.invalid') return 'does not stay on the site; use https://host/… or a path';
  return null;
}
