/**
 * A build id names one queue entry and the one GitHub run dispatched for it. It travels in
 * the dispatch inputs, the run name and the runner label `portfarm-build-<id>`, so it is
 * short, lowercase and label-safe. Ids are never reused: a re-dispatch gets a new one.
 */
const BUILD_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

export type BuildId = string;

export function isBuildId(value: string): value is BuildId {
  return BUILD_ID.test(value);
}

/** The runner label only the run of this build asks for (actions/runner#3697: no other job takes it). */
export function buildLabel(id: BuildId): string {
  return `portfarm-build-${id}`;
}

/** `portfarm-build-<id>` → id; undefined for any other label. */
export function buildIdFromLabel(label: string): BuildId | undefined {
  const match = /^portfarm-build-([a-z0-9][a-z0-9-]{0,39})$/.exec(label);
  return match?.[1];
}

/** The run name (`run-name:` in ports.yml) starts with `[<id>]` so a run is matched to its entry after a crash. */
export function buildIdFromRunName(name: string): BuildId | undefined {
  const match = /^\[([a-z0-9][a-z0-9-]{0,39})\]/.exec(name);
  return match?.[1];
}

/**
 * ports-pr.yml labels its jobs `portfarm-build-pr-<run id>-<job>`: builds of pull requests,
 * started by GitHub on `pull_request`, never dispatched by the controller (whose build ids
 * start with its own prefix, never `pr`). The runner manager gives them the PR slot share.
 */
export function isPullRequestBuildId(id: BuildId): boolean {
  return id.startsWith('pr-');
}
