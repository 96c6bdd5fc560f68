import type { Logger } from 'pino';
import type { GitHubOctokit } from './create-github-clients.ts';
import type { DeliveryStore } from './delivery-store.ts';
import { toGitHubError } from './github-error.ts';
import { withSignal } from './with-signal.ts';

export interface RecoverOptions {
  /** The App client (JWT): hook deliveries belong to the App, not an installation. */
  readonly app: GitHubOctokit;
  readonly store: DeliveryStore;
  readonly log: Logger;
  readonly now?: () => Date;
  /** How far before the last delivery received to look (out-of-order failures); default 1 h. */
  readonly lookbackMs?: number;
}

export interface RecoverResult {
  /** GUIDs asked to be delivered again, oldest first. */
  readonly redelivered: readonly string[];
  /** Deliveries GitHub listed in the window. */
  readonly listed: number;
}

const GITHUB_KEEPS_MS = 3 * 24 * 3600_000;

/**
 * On start: lists the App's webhook deliveries since shortly before the last one received
 * (or the 3 days GitHub keeps), and asks GitHub to redeliver every delivery whose attempts
 * all failed and whose GUID the store has never seen. The redelivery comes through the
 * normal webhook endpoint (signature, de-duplication), so running this twice is harmless.
 */
export async function recoverMissedDeliveries(options: RecoverOptions, signal: AbortSignal): Promise<RecoverResult> {
  const now = options.now ?? (() => new Date());
  const last = options.store.lastReceivedAt();
  const since = last === null ? new Date(now().getTime() - GITHUB_KEEPS_MS) : new Date(last.getTime() - (options.lookbackMs ?? 3600_000));
  const attempts = new Map<string, { id: number; ok: boolean; at: number }[]>();
  let listed = 0;
  try {
    const pages = options.app.paginate.iterator(withSignal(options.app.rest.apps.listWebhookDeliveries, signal), { per_page: 100 });
    pages: for await (const page of pages) {
      // Newest first: stop at the first delivery older than the window.
      for (const d of page.data) {
        const at = Date.parse(d.delivered_at);
        if (at < since.getTime()) break pages;
        listed += 1;
        const list = attempts.get(d.guid) ?? [];
        list.push({ id: d.id, ok: d.status_code >= 200 && d.status_code < 300, at });
        attempts.set(d.guid, list);
      }
    }
  } catch (err) {
    throw toGitHubError(err, 'listing the App webhook deliveries');
  }
  const missed = [...attempts.entries()]
    .filter(([guid, list]) => !options.store.has(guid) && list.every((a) => !a.ok))
    .map(([guid, list]) => ({ guid, latest: list.reduce((a, b) => (b.at > a.at || (b.at === a.at && b.id > a.id) ? b : a)) }))
    // Oldest first. `delivered_at` has whole seconds, so ties are common: delivery ids grow with
    // time and break them (the listing is newest first, so without this a burst came back reversed).
    .sort((a, b) => a.latest.at - b.latest.at || a.latest.id - b.latest.id);
  const redelivered: string[] = [];
  for (const { guid, latest } of missed) {
    try {
      await options.app.rest.apps.redeliverWebhookDelivery({ delivery_id: latest.id, request: { signal } });
      redelivered.push(guid);
      options.log.info({ deliveryId: guid }, 'missed delivery redelivered');
    } catch (err) {
      throw toGitHubError(err, `redelivering webhook delivery ${guid}`);
    }
  }
  options.log.info({ since: since.toISOString(), listed, redelivered: redelivered.length }, 'missed-delivery recovery done');
  return { redelivered, listed };
}
