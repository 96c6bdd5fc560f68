/** `<base>/api/status` (or another path), keeping any path prefix the controller is mounted under. */
export function statusUrl(baseUrl: string, path: '/api/status' | '/api/events'): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
