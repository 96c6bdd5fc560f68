import type { Logger } from 'pino';
import type { EventRejections } from '../github/event-rejections.ts';
import { coerceError } from '../model/coerce-error.ts';
import type { PortList } from '../model/port-list.ts';
import { refuse, type HandoffRefusal } from './handoff-refusal.ts';
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

/** What the controller does with an accepted list: queue the builders and answer how many, or refuse it. */
export type AcceptPortList = (list: PortList, watcher: WatcherIdentity) => Promise<{ readonly builders: number } | HandoffRefusal>;

/** Where the operator sees refusals: the trust boundary's counter and log, and the log for outages. */
export interface HandoffReporting {
  readonly rejections: Pick<EventRejections, 'reject'>;
  readonly log: Pick<Logger, 'warn'>;
}

const json = (status: number, value: unknown): HandoffResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/**
 * `POST /api/port-list`: verify, then hand to `accept`. Every refusal answers with the reason,
 * and the claim and value expected when one was wrong (the action shows it in the job's log),
 * and is counted and logged through `EventRejections`; a 503 (the issuer's keys unreachable)
 * is the controller's outage, logged, not counted against the caller. A failure inside
 * `accept` is a 500 with the cause logged by the caller, never swallowed as a 200 (probot#907).
 */
export function createPortListHandler(verify: PortListVerifier, accept: AcceptPortList, reporting: HandoffReporting): (request: HandoffRequest) => Promise<HandoffResponse> {
  const refused = (refusal: HandoffRefusal, subject: string, buildId: string | undefined): HandoffResponse => {
    const details = { status: refusal.status, why: refusal.reason, ...(buildId === undefined ? {} : { buildId }), ...(refusal.claim === undefined ? {} : { claim: refusal.claim, expected: refusal.expected }) };
    if (refusal.status === 503) reporting.log.warn(details, 'port list not taken: the issuer\'s keys are unreachable; the watcher retries');
    else reporting.rejections.reject(refusal.rejection, subject, details);
    return json(refusal.status, {
      error: refusal.reason,
      retryable: refusal.retryable,
      ...(refusal.claim === undefined ? {} : { claim: refusal.claim, expected: refusal.expected }),
    });
  };
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
    // A verified token that is not bound names its run (logged once per run); an unverified one names nothing worth keeping apart.
    if (!result.ok && !(result.status === 400 && notJson !== undefined)) return refused(result, result.runId === undefined || result.runId === '' ? 'unverified token' : `run ${result.runId}`, undefined);
    if (notJson !== undefined || !result.ok) return refused(refuse(400, 'handoff-bad-list', notJson ?? 'the body is not a port list'), 'unparsed list', undefined);
    const subject = `run ${result.watcher.runId}`;
    const outcome = await accept(result.portList, result.watcher);
    if ('reason' in outcome) return refused(outcome, subject, result.portList.buildId);
    return json(202, { builders: outcome.builders, ports: result.portList.ports.length, excluded: result.portList.excluded.length });
  };
}
