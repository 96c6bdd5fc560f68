import type { Config } from '../config/config-schema.ts';
import { UserError } from '../errors/user-error.ts';

/** Checks a `--url` value: an http(s) URL without query or fragment; the trailing slash is dropped. */
export function parseControllerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (caught) {
    throw new UserError(`--url "${text}" is not a URL; pass the controller's address, e.g. --url http://127.0.0.1:8080`, { cause: caught });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`--url "${text}" must be http:// or https://, e.g. --url http://127.0.0.1:8080`);
  }
  if (url.search !== '' || url.hash !== '') throw new UserError(`--url "${text}" must not have a query or fragment; pass the controller's base URL`);
  return url.href.replace(/\/+$/, '');
}

/**
 * The controller's URL from its config: `controller.publicUrl` when set, else
 * `http://<controller.host>:<controller.port>` (a wildcard listen address means this machine).
 */
export function controllerUrlFromConfig(config: Config): string {
  if (config.controller.publicUrl !== undefined) return config.controller.publicUrl.replace(/\/+$/, '');
  const { host, port } = config.controller;
  if (port === 0) {
    throw new UserError(`controller.port is 0 in ${config.source} (a random port), so the TUI cannot know it; pass --url http://HOST:PORT`);
  }
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}
