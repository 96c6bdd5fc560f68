import { z } from 'zod';
import { UserError } from '../../controller/errors/user-error.ts';
import { explainBadPortName } from '../../controller/model/port-name.ts';
import { PLATFORM_NAME } from '../../controller/model/platform-name.ts';
import type { PendingBuild } from '../lookup/site-map.ts';

const iso = z.iso.datetime({ offset: true });
const range = z.strictObject({ low: iso, mid: iso, high: iso }).refine((r) => Date.parse(r.low) <= Date.parse(r.mid) && Date.parse(r.mid) <= Date.parse(r.high), {
  message: 'low, mid and high must be in that order',
});

/**
 * One build as the controller's snapshot gives it (`GET /api/eta/snapshot`): the fields of
 * `GET /api/eta`'s builds and the port. Fields the site does not show (start, basis, build id)
 * may be there and are dropped.
 */
const snapshotBuildSchema = z.object({
  port: z.string().superRefine((port, ctx) => {
    const bad = explainBadPortName(port);
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: bad });
  }),
  platform: z.string().regex(PLATFORM_NAME, { message: 'not a platform name (like 15_arm64)' }),
  state: z.enum(['pending', 'dispatched', 'started']),
  position: z.int().min(0).max(10_000_000),
  finish: range.nullable(),
  unknown: z.enum(['no-history', 'not-selected', 'beyond-limit']).nullable(),
});

/** The controller's ETA snapshot: every build queued or running, with its estimate, as of `generatedAt`. */
export const etaSnapshotSchema = z.strictObject({
  v: z.literal(1),
  generatedAt: iso,
  builds: z.array(snapshotBuildSchema),
});

export type EtaSnapshot = z.infer<typeof etaSnapshotSchema>;

/**
 * Reads a snapshot's text, refusing anything that does not match with the place and the value
 * (`--eta FILE: builds[3].port: port name "../x" contains "/"…`): the snapshot comes from
 * another machine, and a port name becomes part of the site's pages.
 */
export function parseEtaSnapshot(text: string, source: string): EtaSnapshot {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (caught) {
    throw new UserError(`${source} is not JSON (${(caught as Error).message}); give the answer of the controller's GET /api/eta/snapshot`);
  }
  const parsed = etaSnapshotSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map((p) => (typeof p === 'number' ? `[${String(p)}]` : `.${String(p)}`)).join('').replace(/^\./, '') ?? '';
    throw new UserError(`${source}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}; give the answer of the controller's GET /api/eta/snapshot (nothing was written)`);
  }
  const seen = new Set<string>();
  for (const build of parsed.data.builds) {
    const key = `${build.port}\0${build.platform}`;
    if (seen.has(key)) throw new UserError(`${source}: port ${build.port} is listed twice on ${build.platform}; the controller lists each port once per platform (nothing was written)`);
    seen.add(key);
  }
  return parsed.data;
}

const MINUTE = 60_000;

/** The snapshot as the port pages keep it: port → its pending builds, platforms sorted, times in minutes after `generatedAt`. */
export function pendingByPort(snapshot: EtaSnapshot): Map<string, PendingBuild[]> {
  const asOf = Date.parse(snapshot.generatedAt);
  const minutes = (at: string): number => Math.round((Date.parse(at) - asOf) / MINUTE);
  const out = new Map<string, PendingBuild[]>();
  for (const build of snapshot.builds) {
    const position = build.state === 'pending' ? build.position : 0;
    const pending: PendingBuild =
      build.finish === null ? [build.platform, position, build.unknown ?? 'no-history'] : [build.platform, position, minutes(build.finish.low), minutes(build.finish.mid), minutes(build.finish.high)];
    const list = out.get(build.port);
    if (list === undefined) out.set(build.port, [pending]);
    else list.push(pending);
  }
  for (const list of out.values()) list.sort((a, b) => a[0].localeCompare(b[0]));
  return out;
}
