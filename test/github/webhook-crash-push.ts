import { webhookExample } from './webhook-fixtures.ts';

export const CRASH_SECRET = 'it-is-a-secret';
export const CRASH_CONTEXT = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64', '14_x86_64'] };

/** GitHub's push example (to master), changed to touch the curl port: a watcher per platform. */
export function crashPush(): Record<string, unknown> {
  const push = webhookExample('push', 4);
  const commits = push.commits as Record<string, unknown>[];
  Object.assign(commits[0] ?? {}, { added: [], modified: ['net/curl/Portfile'], removed: [] });
  return push;
}
