import { coerceError } from '../errors/coerce-error.ts';
import type { PortList } from '../model/port-list.ts';
import type { PortListVerifier, WatcherIdentity } from './verify-port-list-request.ts';

/** The request as any HTTP layer can give it: no node:http here. */
export interface HandoffRequest {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body text. */
  readonly body: string;
}

export interface HandoffResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Why a verified run may still not hand over this list (unknown build, another run's build): nothing was queued. */
export interface PortListRefusal {
  readonly status: 403 | 404 | 409;
  readonly reason: string;
}

/** What the controller does with an accepted list: queue the builders and answer how many, or refuse it. */
export type AcceptPortList = (list: PortList, watcher: WatcherIdentity) => Promise<{ readonly builders: number } | PortListRefusal>;

const json = (status: number, value: unknown): HandoffResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/**
 * `POST /api/port-list`: verify, then hand to `accept`. Every refusal answers with the reason
 * (the action shows it in the job's log); a failure inside `accept` is a 500 with the cause
 * logged by the caller, never swallowed as a 200 (probot#907).
 */
export function createPortListHandler(verify: PortListVerifier, accept: AcceptPortList): (request: HandoffRequest) => Promise<HandoffResponse> {
  return async (request) => {
    const header = request.headers.authorization;
    const authorization = typeof header === 'string' ? header : header?.[0];
    let body: unknown;
    let notJson: string | undefined;
    try {
      body = JSON.parse(request.body);
    } catch (caught) {
      notJson = `the body is not JSON: ${coerceError(caught).message}`;
    }
    // The token first: a caller without a valid one learns nothing about the body.
    const result = await verify(authorization, body);
    if (!result.ok && !(result.status === 400 && notJson !== undefined)) return json(result.status, { error: result.reason, retryable: result.retryable });
    if (notJson !== undefined || !result.ok) return json(400, { error: notJson, retryable: false });
    const outcome = await accept(result.portList, result.watcher);
    if ('reason' in outcome) return json(outcome.status, { error: outcome.reason, retryable: false });
    return json(202, { builders: outcome.builders, ports: result.portList.ports.length, excluded: result.portList.excluded.length });
  };
}
