import { portListSchema } from '../../controller/model/port-list.ts';
import type { PortList } from '../../controller/model/port-list.ts';
import { coerceError } from '../../controller/model/coerce-error.ts';
import { StepFailure } from './step-failure.ts';

export interface HandOffDeps {
  /** core.getIDToken in main.ts: the job's OIDC token for `audience`. */
  readonly getIdToken: (audience: string) => Promise<string>;
  readonly fetch: typeof fetch;
}

export interface HandOffReceipt {
  readonly status: number;
  /** The controller's answer, shown in the job summary. */
  readonly message: string;
}

const PATH = '/api/port-list';

/**
 * Sends the watcher's port list to the controller (`POST <controller>/api/port-list`) with the
 * job's OIDC token as bearer: the controller verifies it against GitHub's JWKS and turns the
 * list into builders. 5xx and network errors are retryable, 4xx (token or list refused) not.
 */
export async function handOffPortList(controllerUrl: string, audience: string, list: PortList, deps: HandOffDeps): Promise<HandOffReceipt> {
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
  let response: Response;
  try {
    response = await deps.fetch(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new StepFailure(`could not reach the controller at ${target}: ${coerceError(error).message}; re-run the job when it is up (retryable)`, {
      title: 'port list not handed off: controller unreachable',
      phase: 'list-subports',
      retryable: true,
      cause: error,
    });
  }
  const message = (await response.text()).trim().slice(0, 500);
  if (response.ok) return { status: response.status, message };
  const retryable = response.status >= 500 || response.status === 429;
  throw new StepFailure(
    `the controller at ${target} refused the port list: HTTP ${response.status} ${message}${
      response.status === 401 || response.status === 403 ? ' (the OIDC token was rejected: check the audience input and the controller\'s repository/workflow settings)' : ''
    } (${retryable ? 'retryable' : 'permanent'})`,
    { title: `port list refused by the controller (HTTP ${response.status})`, phase: 'list-subports', retryable },
  );
}
