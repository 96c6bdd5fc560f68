import { z } from 'zod';
import { explainBadPortName, isPortName } from '../../controller/model/port-name.ts';
import { explainUnsafeTarget, isSafeTargetUrl } from './safe-target-url.ts';

/**
 * One line of the build ledger (NDJSON): one finished build under its buildbot-style builder
 * name and per-builder number. The controller appends these; `portfarm site build` reads them;
 * legacy buildbot builds are imported as lines of the same shape.
 */
export const BUILDER_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
export const PLATFORM_SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
export const REVISION = /^[0-9a-f]{4,64}$/;
export const STEP_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$/;

/**
 * An archived log or page: an absolute http(s) URL, or a path on the site (`logs/…`,
 * `/logs/…`), which `site build` resolves against site.logArchiveUrl or the site itself. A
 * path that a browser would read as another site (`//host`, `/\\host`) is refused.
 */
const target = (what: string) =>
  z
    .string({ error: `must be the URL of the ${what}` })
    .superRefine((value, ctx) => {
      const problem = explainUnsafeTarget(value);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, params: { [UNSAFE_TARGET]: true } });
    });

/** Marks (in the zod issue's params) every problem of a ledger URL: a reader can tell a line whose only fault is its URL. */
export const UNSAFE_TARGET = 'unsafeUrl';

/** The checks of `target` in one function, for the fast path of the reader. */
export function isTargetUrl(value: unknown): value is string {
  return isSafeTargetUrl(value);
}

/** GitHub deletes Actions logs after the retention period (90 days by default): never point there. */
export const ACTIONS_LOG = /^https:\/\/(github\.com\/[^/]+\/[^/]+\/(actions\/runs|commit\/[0-9a-f]+\/checks)\/|api\.github\.com\/repos\/[^/]+\/[^/]+\/actions\/)/i;

const logSchema = z.strictObject({
  name: z.string().min(1, { error: 'must name the log, e.g. stdio' }),
  url: target('archived log').refine((value) => !ACTIONS_LOG.test(value), {
    error: 'is a GitHub Actions log, which expires after the retention period; record the archived copy (site /logs/… or the object store)',
  }),
});

const stepSchema = z.strictObject({
  name: z.string().min(1, { error: 'must name the step, e.g. install-port' }),
  logs: z.array(logSchema),
});

export const BUILD_RESULTS = ['success', 'failure', 'cancelled'] as const;

export const ledgerEntrySchema = z.strictObject({
  builder: z.string({ error: 'must be the builder name, e.g. ports-15_arm64-builder' }).regex(BUILDER_NAME, {
    error: 'must be a lower-case builder name, e.g. ports-15_arm64-builder',
  }),
  number: z
    .int({ error: 'must be a whole build number' })
    .min(0, { error: 'must be 0 or more' })
    .max(999_999_999, { error: 'must be below 1,000,000,000' }),
  port: z
    .string()
    .refine(isPortName, { error: (issue) => explainBadPortName(String(issue.input)) ?? 'is not a port name' })
    .optional(),
  platform: z.string().regex(PLATFORM_SLUG, { error: 'must be a platform name, e.g. 15_arm64 or 10.6_i386_legacy' }).optional(),
  result: z.enum(BUILD_RESULTS, { error: `must be one of ${BUILD_RESULTS.join(', ')}` }).optional(),
  finishedAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time, e.g. 2026-08-17T21:12:36Z' }).optional(),
  /** When the build's job started; older lines lack it (their JSON start time is their finish time). */
  startedAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time, e.g. 2026-08-17T21:02:10Z' }).optional(),
  /** The watcher build whose port list asked for this build (buildbot's `triggered_by`). */
  watcher: z
    .strictObject({
      builder: z.string().regex(BUILDER_NAME, { error: 'must be the watcher builder name, e.g. ports-15_arm64-watcher' }),
      number: z.int({ error: 'must be the watcher build number' }).min(0).max(999_999_999),
    })
    .optional(),
  /** The step that failed (`install-port`…), for buildbot's status words `failed install-port`. */
  failedStep: z.string().regex(STEP_NAME, { error: 'must be a step name, e.g. install-port' }).optional(),
  /** The ports tree commit the build built (buildbot's `revision` property). */
  revision: z.string().regex(REVISION, { error: 'must be a git commit id (4 to 64 hex digits)' }).optional(),
  url: target('build page'),
  steps: z.array(stepSchema).optional(),
});

export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

/** What the controller hands `appendBuild`: the number is allocated by the ledger unless given. */
export type NewLedgerEntry = Omit<LedgerEntry, 'number'> & { readonly number?: number };
