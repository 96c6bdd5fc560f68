/** Where `portfarm tui` reads the status token from unless the config names another variable (controller.statusTokenEnv). */
export const STATUS_TOKEN_ENV = 'PORTFARM_STATUS_TOKEN';

/** The headers of a status request: what it accepts, and the status token when there is one. */
export function statusHeaders(accept: string, token: string | undefined): Record<string, string> {
  return token === undefined || token === '' ? { accept } : { accept, authorization: `Bearer ${token}` };
}
