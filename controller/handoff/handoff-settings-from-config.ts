import { ConfigError } from '../config/config-error.ts';
import type { Config } from '../config/config-schema.ts';
import { handoffSettings, type HandoffSettings } from './handoff-settings.ts';

/**
 * The `handoff:` section plus the repository and workflow the token must name (`github:`).
 * `github.repositoryId` is optional in the file (the site build and the CLI's offline commands
 * do not need it) but the hand-off cannot check a token without it: missing, `serve` stops here.
 */
export function handoffSettingsFromConfig(config: Pick<Config, 'github' | 'handoff' | 'source'>): HandoffSettings {
  const repositoryId = config.github.repositoryId;
  if (repositoryId === undefined) {
    throw new ConfigError(config.source, [
      {
        key: 'github.repositoryId',
        value: undefined,
        message: `is required to accept watchers' port lists: set it to the numeric id of ${config.github.repo} (gh api repos/${config.github.repo} --jq .id); the controller accepts only OIDC tokens naming this id`,
      },
    ]);
  }
  return handoffSettings({
    repository: config.github.repo,
    repositoryId,
    workflowFile: config.github.workflow,
    issuer: config.handoff.issuer,
    ...(config.handoff.jwksUrl === undefined ? {} : { jwksUrl: config.handoff.jwksUrl }),
    audience: config.handoff.audience,
    clockToleranceSeconds: config.handoff.clockToleranceSeconds,
  });
}
