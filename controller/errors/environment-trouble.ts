/**
 * A failure of the farm's surroundings — the network, a service that does not answer — not of
 * what the user gave (UserError) and not a bug (internal error). The same command may work
 * later: the CLI prints the message (which says what to check) without a stack trace and
 * exits with EX_TEMPFAIL (75), so a supervisor retries instead of alerting on a crash.
 */
export interface EnvironmentTrouble extends Error {
  readonly environmentTrouble: true;
  readonly retryable: true;
}

export const ENVIRONMENT_TROUBLE_EXIT_CODE = 75;

export function isEnvironmentTrouble(value: unknown): value is EnvironmentTrouble {
  return value instanceof Error && (value as { readonly environmentTrouble?: unknown }).environmentTrouble === true;
}

/** The environment trouble at or under `value` (its cause chain), and the messages down to it. */
export function findEnvironmentTrouble(value: unknown): { readonly trouble: EnvironmentTrouble; readonly messages: readonly string[] } | null {
  const messages: string[] = [];
  for (let e: unknown = value, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth += 1) {
    messages.push(e.message);
    if (isEnvironmentTrouble(e)) return { trouble: e, messages };
  }
  return null;
}
