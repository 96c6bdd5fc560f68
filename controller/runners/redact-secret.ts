/** What stands in for a secret in a message. */
export const REDACTED = '[redacted]';

/**
 * The forms a secret can take in text: itself, and the pieces a base64 secret is cut into when
 * a tool wraps it (64 and 76 columns), so a wrapped copy in a command's output is caught too.
 */
function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  for (const width of [64, 76]) {
    for (let at = 0; at + width <= secret.length; at += width) forms.add(secret.slice(at, at + width));
  }
  return [...forms].filter((f) => f.length >= 8).sort((a, b) => b.length - a.length);
}

/** `text` with every form of `secret` replaced. */
export function redactText(text: string, secret: string): string {
  let out = text;
  for (const form of secretForms(secret)) out = out.replaceAll(form, REDACTED);
  return out;
}

/**
 * A copy of `error` safe to log and to show: its message and each cause's message redacted, and
 * nothing else kept (a command error carries its argv, stdin and output, any of which can hold
 * the secret). `retryable` is kept, so callers still know whether to try again.
 */
export function redactError(error: unknown, secret: string): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const cause: unknown = source.cause;
  const copy = new Error(redactText(source.message, secret), cause === undefined ? undefined : { cause: redactError(cause, secret) });
  copy.name = source.name;
  if ('retryable' in source && typeof source.retryable === 'boolean') Object.assign(copy, { retryable: source.retryable });
  return copy;
}
