/**
 * Why the controller did not take a port list, as the hand-off answers it and as the operator
 * sees it: `rejection` is the stable slug counted as `portfarm_events_rejected_total{reason}`,
 * `claim` and `expected` name what the token or list said wrong and what it must say.
 * Nothing was queued.
 */
export interface HandoffRefusal {
  /** 400 bad body, 401 no/invalid token, 403 a valid token not bound to this dispatch, 404/409 the build cannot take it, 503 keys unreachable. */
  readonly status: 400 | 401 | 403 | 404 | 409 | 503;
  readonly reason: string;
  /** A metric label: never a value from the request. */
  readonly rejection: string;
  /** The token claim or list field that was wrong (`ref`, `run_attempt`, `portsRevision`…). */
  readonly claim?: string;
  readonly expected?: string;
  /** Only 503 (the issuer's keys could not be fetched) is worth retrying. */
  readonly retryable: boolean;
}

export function refuse(status: HandoffRefusal['status'], rejection: string, reason: string, wrong?: { readonly claim: string; readonly expected: string }): HandoffRefusal {
  return { status, reason, rejection, ...(wrong === undefined ? {} : { claim: wrong.claim, expected: wrong.expected }), retryable: status === 503 };
}
