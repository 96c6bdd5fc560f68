import { setTimeout as sleep } from 'node:timers/promises';
import { portListSchema } from '../../controller/model/port-list.ts';
import type { PortList } from '../../controller/model/port-list.ts';
import { coerceError } from '../../controller/model/coerce-error.ts';
import { StepFailure } from './step-failure.ts';

export interface HandOffDeps {
  /** core.getIDToken in main.ts: the job's OIDC token for `audience`. */
  readonly getIdToken: (audience: string) => Promise<string>;
  readonly fetch: typeof fetch;
  /** Waits between attempts; default a timer (tests pass one that only records). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface HandOffReceipt {
  readonly status: number;
  /** The controller's answer, shown in the job summary. */
  readonly message: string;
}

const PATH = '/api/port-list';

/**
 * Waits before the 2nd, 3rd… attempt: about 40 s in all, long enough for a controller restart
 * or a blip at GitHub's JWKS endpoint (the controller answers 503 then), well inside the token's
 * lifetime, so a watcher does not fail for a passing outage.
 */
export const HAND_OFF_RETRY_DELAYS_MS: readonly number[] = [2_000, 5_000, 10_000, 20_000];

type Attempt = { readonly ok: true; readonly receipt: HandOffReceipt } | { readonly ok: false; readonly retryable: boolean; readonly failure: StepFailure };

/**
 * Sends the watcher's port list to the controller (`POST <controller>/api/port-list`) with the
 * job's OIDC token as bearer: the controller verifies it against GitHub's JWKS and turns the
 * list into builders. 5xx, 429 and network errors are retried (`HAND_OFF_RETRY_DELAYS_MS`),
 * then fail the step as retryable; 4xx (token or list refused) fail it at once, permanently.
 */
export async function handOffPortList(controllerUrl: string, audience: string, list: PortList, deps: HandOffDeps, log: (line: string) => void = () => undefined): Promise<HandOffReceipt> {
  const body = portListSchema.parse(list);
  const target = `${controllerUrl.replace(/\/+$/, '')}${PATH}`;
  let token: string;
  try {
    token = await deps.getIdToken(audience);
  } catch (error) {
    throw new StepFailure(
      `could not get the job's OIDC token for audience "${audience}": ${coerceError(error).message}; the job needs \`permissions: id-token: write\` (ports.yml has it; PR workflows must not hand off)`,
      { title: 'port list not handed off: no OIDC token', phase: 'list-subports', retryable: false, cause: error },
    );
  }
  const wait = deps.sleep ?? ((ms: number) => sleep(ms));
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await postOnce(target, token, body, deps.fetch, attempt);
    if (outcome.ok) return outcome.receipt;
    const delay = HAND_OFF_RETRY_DELAYS_MS[attempt - 1];
    if (!outcome.retryable || delay === undefined) throw outcome.failure;
    log(`Hand-off attempt ${String(attempt)} failed (${outcome.failure.title}); retrying in ${String(delay / 1000)} s`);
    await wait(delay);
  }
}

async function postOnce(target: string, token: string, body: PortList, fetcher: typeof fetch, attempt: number): Promise<Attempt> {
  const after = attempt === 1 ? '' : ` after ${String(attempt)} attempts`;
  let response: Response;
  try {
    response = await fetcher(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    return {
      ok: false,
      retryable: true,
      failure: new StepFailure(`could not reach the controller at ${target}${after}: ${coerceError(error).message}; re-run the job when it is up (retryable)`, {
        title: 'port list not handed off: controller unreachable',
        phase: 'list-subports',
        retryable: true,
        cause: error,
      }),
    };
  }
  const message = (await response.text()).trim().slice(0, 500);
  if (response.ok) return { ok: true, receipt: { status: response.status, message } };
  const retryable = response.status >= 500 || response.status === 429;
  return {
    ok: false,
    retryable,
    failure: new StepFailure(
      `the controller at ${target} refused the port list${after}: HTTP ${response.status} ${message}${
        response.status === 401 || response.status === 403 ? ' (the OIDC token was rejected: check the audience input and the controller\'s repository/workflow settings)' : ''
      } (${retryable ? 'retryable' : 'permanent'})`,
      { title: `port list refused by the controller (HTTP ${response.status})`, phase: 'list-subports', retryable },
    ),
  };
}
