import type { Config } from '../config/config-schema.ts';
import { UserError } from '../errors/user-error.ts';

/** The secrets serve cannot start without, from the environment; checked before anything is created or asked of GitHub. */
export function requireSecrets(config: Config): { readonly webhookSecret: string; readonly statusToken: string } {
  const webhookSecret = config.github.webhookSecret;
  if (webhookSecret === undefined) {
    throw new UserError(`no webhook secret: set the environment variable ${config.github.webhookSecretEnv} to the App's webhook secret (GitHub App settings → Webhook)`);
  }
  const statusToken = config.controller.statusToken;
  if (statusToken === undefined) {
    throw new UserError(
      `no status token: set the environment variable ${config.controller.statusTokenEnv} to a long random string (e.g. openssl rand -hex 32); /api/status, /api/events and /metrics require it, and portfarm tui sends it from the same variable`,
    );
  }
  return { webhookSecret, statusToken };
}
