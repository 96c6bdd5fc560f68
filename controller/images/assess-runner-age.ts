import type { PlatformImages } from './image-registry.ts';
import { compareVersions, type RunnerRelease } from './runner-releases.ts';

const DAY_MS = 86_400_000;

export type RunnerAgeStatus = 'current' | 'outdated' | 'expiring' | 'refused' | 'unknown';

export interface RunnerAge {
  readonly platform: string;
  readonly image: string;
  readonly role: 'current' | 'canary';
  readonly runnerVersion: string;
  readonly status: RunnerAgeStatus;
  /** The first newer release; GitHub's 30-day clock starts at its publication. */
  readonly successor: RunnerRelease | null;
  /** When GitHub stops queueing jobs to this runner version (ISO), null if not known or not due. */
  readonly refusedFrom: string | null;
  readonly daysLeft: number | null;
  /** Days since the image's runner version was released (since the image was sealed when the release is not known). */
  readonly ageDays: number;
}

export interface AssessRunnerAgeInput {
  readonly platforms: readonly PlatformImages[];
  /** Published runner releases, or null when they could not be fetched. */
  readonly releases: readonly RunnerRelease[] | null;
  readonly now: Date;
  /** GitHub refuses a runner this many days after a newer release (docs: 30). */
  readonly supportDays?: number;
  /** Alert this many days before refusal. */
  readonly warnDays?: number;
}

/**
 * Runner-age detection from image metadata alone: every image a new VM can get (current and
 * canary) is checked against the runner releases, before jobs start failing. Pure; the
 * controller feeds it the releases it fetched and the time.
 */
export function assessRunnerAge(input: AssessRunnerAgeInput): readonly RunnerAge[] {
  const supportDays = input.supportDays ?? 30;
  const warnDays = input.warnDays ?? 7;
  const now = input.now.getTime();
  const result: RunnerAge[] = [];
  for (const platform of input.platforms) {
    const roles: ['current' | 'canary', number | null][] = [
      ['current', platform.current],
      ['canary', platform.canary?.version ?? null],
    ];
    for (const [role, version] of roles) {
      const image = platform.versions.find((v) => v.version === version);
      if (image === undefined) continue;
      const own = input.releases?.find((r) => r.version === image.runnerVersion);
      const ageDays = Math.round(((now - Date.parse(own?.publishedAt ?? image.createdAt)) / DAY_MS) * 10) / 10;
      const base = { platform: platform.platform, image: image.image, role, runnerVersion: image.runnerVersion, ageDays };
      if (input.releases === null) {
        // Without the release list, an image older than the window may already be refused.
        const status = ageDays >= supportDays - warnDays ? 'unknown' : 'current';
        result.push({ ...base, status, successor: null, refusedFrom: null, daysLeft: null });
        continue;
      }
      const successor =
        input.releases
          .filter((r) => compareVersions(r.version, image.runnerVersion) > 0)
          .sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt))[0] ?? null;
      if (successor === null) {
        result.push({ ...base, status: 'current', successor: null, refusedFrom: null, daysLeft: null });
        continue;
      }
      const refusedAt = Date.parse(successor.publishedAt) + supportDays * DAY_MS;
      const daysLeft = Math.round(((refusedAt - now) / DAY_MS) * 10) / 10;
      const status = daysLeft <= 0 ? 'refused' : daysLeft <= warnDays ? 'expiring' : 'outdated';
      result.push({ ...base, status, successor, refusedFrom: new Date(refusedAt).toISOString(), daysLeft });
    }
  }
  return result;
}

/** The alert lines for the status snapshot (`alerts`) and the TUI: only what needs action. */
export function runnerAgeAlerts(ages: readonly RunnerAge[]): readonly string[] {
  return ages.flatMap((a) => {
    const what = `image ${a.image} (${a.role} for ${a.platform}) has actions runner ${a.runnerVersion}`;
    const fix = `prepare a new image with portfarm image prepare --runner-version ${a.successor?.version ?? '<latest>'} and roll it out`;
    const since = a.successor === null ? '' : ` because ${a.successor.version} was released ${a.successor.publishedAt.slice(0, 10)}`;
    switch (a.status) {
      case 'refused':
        return [`${what}; GitHub refuses it since ${a.refusedFrom?.slice(0, 10) ?? '?'}${since}: jobs on it will not start; ${fix}`];
      case 'expiring':
        return [`${what}; GitHub refuses it from ${a.refusedFrom?.slice(0, 10) ?? '?'} (in ${a.daysLeft ?? '?'} days)${since}; ${fix}`];
      case 'unknown':
        return [`${what} and is older than the runner support window, but the runner releases could not be fetched to check it; ${fix}`];
      case 'current':
      case 'outdated':
        return [];
    }
  });
}
