/**
 * The URL a step's log keeps for good on the portfarm site, in the buildbot shape old links
 * use (`…/steps/<step>/logs/stdio`), keyed by build id: GitHub's own log links rot after 90 days.
 */
export function stableLogUrl(siteUrl: string, buildId: string, step: string): string {
  return `${siteUrl.replace(/\/+$/, '')}/builds/${encodeURIComponent(buildId)}/steps/${encodeURIComponent(step)}/logs/stdio`;
}
