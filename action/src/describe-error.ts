/** An error and its whole `cause` chain as one message, so a failed step never loses why (actions/toolkit#1527). */
export function describeError(error: Error): string {
  const parts = [error.message];
  let cause: unknown = error.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth += 1) {
    parts.push(cause instanceof Error ? cause.message : JSON.stringify(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n  caused by: ');
}
