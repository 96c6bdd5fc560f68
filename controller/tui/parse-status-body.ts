import { statusSnapshotSchema, type StatusSnapshot } from '../status/status-snapshot.ts';
import { printableText } from './printable-text.ts';
import { StatusFetchError } from './status-fetch-error.ts';

const VERSION_HINT = 'the controller and this portfarm differ in version; run the same release on both';

/**
 * JSON text of a status snapshot → validated snapshot, or an error naming the URL and the first
 * bad field. Every string comes out printable (`printableText`): it goes to a terminal.
 */
export function parseStatusBody(text: string, url: string): StatusSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? printableText(value) : value));
  } catch (caught) {
    throw new StatusFetchError(url, `${url} did not answer with JSON (${printableText(text.slice(0, 40).trim()) || 'empty body'})`, 'is --url the portfarm controller?', {
      retryable: false,
      cause: caught,
    });
  }
  const parsed = statusSnapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`;
    throw new StatusFetchError(url, `${url} answered with a status this TUI cannot read (${where})`, VERSION_HINT, { retryable: false });
  }
  return parsed.data;
}
