/** GitHub Actions' OIDC issuer; its keys are at `<issuer>/.well-known/jwks`. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** What a watcher's token must say for the controller to accept its port list. */
export interface HandoffSettings {
  /** Token issuer (`iss`); GitHub's unless a test or GHES says otherwise. */
  readonly issuer: string;
  /** Where the issuer's public keys are; default `<issuer>/.well-known/jwks`. */
  readonly jwksUrl: string;
  /** `aud` the action asked for (its `audience` input, default `portfarm`). */
  readonly audience: string;
  /** `owner/name` of the ports repository (config `github.repo`). */
  readonly repository: string;
  /** Workflow file the run must come from (config `github.workflow`, e.g. ports.yml). */
  readonly workflowFile: string;
  /** Seconds of clock skew tolerated on `exp`/`nbf`/`iat`. */
  readonly clockToleranceSeconds: number;
}

export function handoffSettings(given: Partial<HandoffSettings> & Pick<HandoffSettings, 'repository'>): HandoffSettings {
  const issuer = given.issuer ?? GITHUB_ACTIONS_ISSUER;
  return {
    issuer,
    jwksUrl: given.jwksUrl ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks`,
    audience: given.audience ?? 'portfarm',
    repository: given.repository,
    workflowFile: given.workflowFile ?? 'ports.yml',
    clockToleranceSeconds: given.clockToleranceSeconds ?? 30,
  };
}
