import { isBuildId } from '../../controller/model/build-id.ts';

/**
 * The URL a step's log keeps for good on the portfarm site, in the buildbot shape old links use
 * (`…/steps/<step>/logs/stdio`), keyed by build id: the action prints it in the job summary
 * while the build runs, before the ledger gives the build its per-builder number. The site
 * resolves it through `/map/_ids/` to the same build as `/builders/<builder>/builds/<n>/…`.
 * GitHub's own log links rot after 90 days.
 */
export function stableLogUrl(siteUrl: string, buildId: string, step: string): string {
  return `${siteUrl.replace(/\/+$/, '')}/builds/${encodeURIComponent(buildId)}/steps/${encodeURIComponent(step)}/logs/stdio`;
}

/**
 * The build id a ledger URL names, when it is the build page the controller's log archive
 * writes (`<archive>/<buildId>/index.html`): how the site learns build ids without a ledger field.
 */
export function buildIdOfArchivePage(url: string, archiveBase: string): string | undefined {
  if (!url.startsWith(archiveBase)) return undefined;
  const rest = url.slice(archiveBase.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const tail = rest.slice(slash + 1);
  if (tail !== 'index.html' && tail !== '') return undefined;
  const id = rest.slice(0, slash);
  return isBuildId(id) ? id : undefined;
}
