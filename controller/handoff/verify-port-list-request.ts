import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { portListSchema } from '../model/port-list.ts';
import type { PortList } from '../model/port-list.ts';
import { coerceError } from '../errors/coerce-error.ts';
import type { HandoffSettings } from './handoff-settings.ts';

/** Who handed the list over, from the verified token: the controller matches `runId` to the build it dispatched. */
export interface WatcherIdentity {
  readonly repository: string;
  readonly runId: string;
  readonly sha: string;
  readonly ref: string;
  readonly workflowRef: string;
  readonly eventName: string;
}

export type HandoffResult =
  | { readonly ok: true; readonly portList: PortList; readonly watcher: WatcherIdentity }
  | {
      readonly ok: false;
      /** 400 bad body, 401 no/invalid token, 403 a valid token from the wrong repository/workflow/event, 503 keys unreachable. */
      readonly status: 400 | 401 | 403 | 503;
      readonly reason: string;
      /** Only 503 (the issuer's keys could not be fetched) is worth retrying. */
      readonly retryable: boolean;
    };

export type PortListVerifier = (authorization: string | undefined, body: unknown) => Promise<HandoffResult>;

const reject = (status: 400 | 401 | 403 | 503, reason: string): HandoffResult => ({ ok: false, status, reason, retryable: status === 503 });

function claim(payload: JWTPayload, name: string): string {
  const value = payload[name];
  return typeof value === 'string' ? value : '';
}

/**
 * Verifies a watcher's hand-off: the bearer token is a GitHub Actions OIDC token (signature
 * against the issuer's JWKS, issuer, audience, expiry) from a `workflow_dispatch` run of the
 * configured workflow in the configured repository, and the body is a `portListSchema` list.
 * Pure apart from fetching the JWKS (cached by jose); `keys` and `now` are injectable.
 */
export function createPortListVerifier(settings: HandoffSettings, options: { keys?: JWTVerifyGetKey; now?: () => Date } = {}): PortListVerifier {
  const keys = options.keys ?? createRemoteJWKSet(new URL(settings.jwksUrl));
  const workflowPrefix = `${settings.repository}/.github/workflows/${settings.workflowFile}@`;
  return async (authorization, body) => {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return reject(401, 'no bearer token: the watcher must send its job\'s OIDC token (Authorization: Bearer <token>)');
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
      if (error instanceof errors.JWTExpired) return reject(401, `the OIDC token expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()}`);
      if (error instanceof errors.JWTClaimValidationFailed) {
        const got = error.payload[error.claim];
        return reject(401, `the OIDC token's "${error.claim}" claim is ${JSON.stringify(got)}; expected ${error.claim === 'aud' ? JSON.stringify(settings.audience) : error.claim === 'iss' ? JSON.stringify(settings.issuer) : 'a valid value'} (${error.reason})`);
      }
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        return reject(503, `could not fetch the issuer's keys from ${settings.jwksUrl}: ${error.message}`);
      }
      return reject(401, `the OIDC token does not verify against ${settings.jwksUrl}: ${error.message}`);
    }
    const watcher: WatcherIdentity = {
      repository: claim(payload, 'repository'),
      runId: claim(payload, 'run_id'),
      sha: claim(payload, 'sha'),
      ref: claim(payload, 'ref'),
      workflowRef: claim(payload, 'workflow_ref') || claim(payload, 'job_workflow_ref'),
      eventName: claim(payload, 'event_name'),
    };
    if (watcher.repository !== settings.repository) {
      return reject(403, `the token is from repository ${JSON.stringify(watcher.repository)}; this controller accepts port lists from ${settings.repository} only (config github.repo)`);
    }
    if (!watcher.workflowRef.startsWith(workflowPrefix)) {
      return reject(403, `the token is from workflow ${JSON.stringify(watcher.workflowRef)}; port lists come from ${workflowPrefix}<ref> only (config github.workflow)`);
    }
    if (watcher.eventName !== 'workflow_dispatch') {
      return reject(403, `the token is from a ${JSON.stringify(watcher.eventName)} run; only runs the controller dispatched (workflow_dispatch) hand off port lists`);
    }
    const parsed = portListSchema.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
      return reject(400, `the port list is not valid: ${problems.join('; ')}`);
    }
    return { ok: true, portList: parsed.data, watcher };
  };
}
