import { parseRunnerReleases, type RunnerRelease } from './runner-releases.ts';

/** `GET <url>` (GitHub's actions/runner release list, first page: the newest releases) → published releases. */
export async function fetchRunnerReleases(url: string, signal: AbortSignal): Promise<readonly RunnerRelease[]> {
  const response = await fetch(url, {
    headers: { accept: 'application/vnd.github+json', 'user-agent': 'portfarm', 'x-github-api-version': '2022-11-28' },
    signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
  });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  return parseRunnerReleases(await response.json());
}
