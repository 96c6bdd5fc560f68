import { errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { portListSchema } from '../model/port-list.ts';
import type { PortList } from '../model/port-list.ts';
import { coerceError } from '../model/coerce-error.ts';
import { refuse, type HandoffRefusal } from './handoff-refusal.ts';
import { expectedWorkflowRef, type HandoffSettings } from './handoff-settings.ts';
import { IssuerKeysUnavailable, issuerKeys } from './issuer-keys.ts';

/** Who handed the list over, from the verified token: the controller matches run and attempt to the build it dispatched. */
export interface WatcherIdentity {
  readonly repository: string;
  readonly repositoryId: string;
  readonly runId: string;
  readonly runAttempt: string;
  readonly sha: string;
  readonly ref: string;
  readonly workflowRef: string;
  readonly jobWorkflowRef: string;
  readonly eventName: string;
}

export type HandoffResult =
  | { readonly ok: true; readonly portList: PortList; readonly watcher: WatcherIdentity }
  /** `runId`: the run a verified token named (unbound, or its list invalid), for the log. */
  | ({ readonly ok: false; readonly runId?: string } & HandoffRefusal);

export type PortListVerifier = (authorization: string | undefined, body: unknown) => Promise<HandoffResult>;

const reject = (...args: Parameters<typeof refuse>): HandoffResult => ({ ok: false, ...refuse(...args) });

function claim(payload: JWTPayload, name: string): string {
  const value = payload[name];
  return typeof value === 'string' ? value : '';
}

/**
 * The claims that bind a token to a run the controller dispatched, checked in this order. Anyone
 * who can open a pull request can run any workflow code in the repository, and a fork or a
 * renamed repository can reuse the name: only a `workflow_dispatch` run of ports.yml on the
 * default branch of this very repository (by id) may hand over a list.
 */
function bindingProblem(watcher: WatcherIdentity, settings: HandoffSettings): HandoffResult | undefined {
  const workflowRef = expectedWorkflowRef(settings);
  const checks: readonly { readonly claim: string; readonly got: string; readonly expected: string; readonly rejection: string; readonly fix: string }[] = [
    { claim: 'repository', got: watcher.repository, expected: settings.repository, rejection: 'handoff-foreign-repository', fix: 'config github.repo' },
    { claim: 'repository_id', got: watcher.repositoryId, expected: String(settings.repositoryId), rejection: 'handoff-foreign-repository-id', fix: 'config github.repositoryId' },
    { claim: 'event_name', got: watcher.eventName, expected: 'workflow_dispatch', rejection: 'handoff-not-dispatched', fix: 'only runs the controller dispatched hand off port lists' },
    { claim: 'ref', got: watcher.ref, expected: `refs/heads/${settings.branch}`, rejection: 'handoff-foreign-ref', fix: 'the controller dispatches watchers on this branch only' },
    { claim: 'workflow_ref', got: watcher.workflowRef, expected: workflowRef, rejection: 'handoff-foreign-workflow', fix: 'config github.workflow' },
    { claim: 'job_workflow_ref', got: watcher.jobWorkflowRef, expected: workflowRef, rejection: 'handoff-reusable-workflow', fix: 'the watcher job must be in ports.yml itself, not in a workflow it calls' },
  ];
  for (const check of checks) {
    if (check.got === check.expected) continue;
    const refusal = refuse(403, check.rejection, `the token's "${check.claim}" claim is ${JSON.stringify(check.got)}; expected ${JSON.stringify(check.expected)} (${check.fix})`, {
      claim: check.claim,
      expected: check.expected,
    });
    return { ok: false, ...refusal, runId: watcher.runId };
  }
  return undefined;
}

/**
 * Verifies a watcher's hand-off: the bearer token is a GitHub Actions OIDC token (signature
 * against the issuer's JWKS, issuer, audience, expiry) bound to a `workflow_dispatch` run of
 * the configured workflow on the default branch of the configured repository, and the body
 * is a `portListSchema` list. Whether that run is the one dispatched for the list's build is
 * `acceptWatcherList`'s to decide. Pure apart from fetching the JWKS (cached by jose); `keys`
 * and `now` are injectable.
 */
export function createPortListVerifier(settings: HandoffSettings, options: { keys?: JWTVerifyGetKey; now?: () => Date } = {}): PortListVerifier {
  const keys = issuerKeys(settings.jwksUrl, options.keys);
  return async (authorization, body) => {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return reject(401, 'handoff-no-token', 'no bearer token: the watcher must send its job\'s OIDC token (Authorization: Bearer <token>)');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockToleranceSeconds,
        ...(options.now === undefined ? {} : { currentDate: options.now() }),
      }));
    } catch (caught) {
      const error = coerceError(caught);
      if (error instanceof IssuerKeysUnavailable) return reject(503, 'handoff-keys-unavailable', `${error.message}; the watcher retries`);
      if (error instanceof errors.JWTExpired) return reject(401, 'handoff-bad-token', `the OIDC token expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()}`);
      if (error instanceof errors.JWTClaimValidationFailed) {
        const got = error.payload[error.claim];
        const expected = error.claim === 'aud' ? settings.audience : error.claim === 'iss' ? settings.issuer : undefined;
        return reject(
          401,
          'handoff-bad-token',
          `the OIDC token's "${error.claim}" claim is ${JSON.stringify(got)}; expected ${expected === undefined ? 'a valid value' : JSON.stringify(expected)} (${error.reason})`,
          expected === undefined ? undefined : { claim: error.claim, expected },
        );
      }
      // Anything else (a bad signature, a malformed token, one jose cannot even parse) is refused.
      return reject(401, 'handoff-bad-token', `the OIDC token does not verify against ${settings.jwksUrl}: ${error.message}`);
    }
    const watcher: WatcherIdentity = {
      repository: claim(payload, 'repository'),
      repositoryId: claim(payload, 'repository_id'),
      runId: claim(payload, 'run_id'),
      runAttempt: claim(payload, 'run_attempt'),
      sha: claim(payload, 'sha'),
      ref: claim(payload, 'ref'),
      workflowRef: claim(payload, 'workflow_ref'),
      jobWorkflowRef: claim(payload, 'job_workflow_ref'),
      eventName: claim(payload, 'event_name'),
    };
    const unbound = bindingProblem(watcher, settings);
    if (unbound !== undefined) return unbound;
    const parsed = portListSchema.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
      // The token verified and is bound: the refusal names its run, so the operator can tell which run sent the bad list.
      return { ...reject(400, 'handoff-bad-list', `the port list is not valid: ${problems.join('; ')}`), runId: watcher.runId };
    }
    return { ok: true, portList: parsed.data, watcher };
  };
}
