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
  /**
   * GitHub's numeric id of that repository (config `github.repositoryId`): a name can be
   * deleted and taken again by someone else, the id cannot, so the token must carry this one.
   */
  readonly repositoryId: number;
  /** Workflow file the run must come from (config `github.workflow`, e.g. ports.yml). */
  readonly workflowFile: string;
  /** The branch the controller dispatches watchers on: the token's `ref` must be `refs/heads/<branch>`. */
  readonly branch: string;
  /** Seconds of clock skew tolerated on `exp`/`nbf`/`iat`. */
  readonly clockToleranceSeconds: number;
}

export function handoffSettings(given: Partial<HandoffSettings> & Pick<HandoffSettings, 'repository' | 'repositoryId'>): HandoffSettings {
  const issuer = given.issuer ?? GITHUB_ACTIONS_ISSUER;
  return {
    issuer,
    jwksUrl: given.jwksUrl ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks`,
    audience: given.audience ?? 'portfarm',
    repository: given.repository,
    repositoryId: given.repositoryId,
    workflowFile: given.workflowFile ?? 'ports.yml',
    branch: given.branch ?? 'master',
    clockToleranceSeconds: given.clockToleranceSeconds ?? 30,
  };
}

/** The one `workflow_ref` (and `job_workflow_ref`) a watcher's token may carry. */
export function expectedWorkflowRef(settings: Pick<HandoffSettings, 'repository' | 'workflowFile' | 'branch'>): string {
  return `${settings.repository}/.github/workflows/${settings.workflowFile}@refs/heads/${settings.branch}`;
}
