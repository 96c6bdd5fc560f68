import type { Config } from '../config/config-schema.ts';
import { handoffSettings, type HandoffSettings } from './handoff-settings.ts';

/** The `handoff:` section plus the repository and workflow the token must name (`github:`). */
export function handoffSettingsFromConfig(config: Pick<Config, 'github' | 'handoff'>): HandoffSettings {
  return handoffSettings({
    repository: config.github.repo,
    workflowFile: config.github.workflow,
    issuer: config.handoff.issuer,
    ...(config.handoff.jwksUrl === undefined ? {} : { jwksUrl: config.handoff.jwksUrl }),
    audience: config.handoff.audience,
    clockToleranceSeconds: config.handoff.clockToleranceSeconds,
  });
}
