import { z } from 'zod';

const iso = z.iso.datetime({ offset: true });

/** A range of times as the API shows it: 20th percentile, median, 80th percentile. */
export const etaRangeSchema = z.strictObject({ low: iso, mid: iso, high: iso });

export const portEtaSchema = z.strictObject({
  platform: z.string(),
  buildId: z.string(),
  state: z.enum(['pending', 'dispatched', 'started']),
  /** Place in line on the platform: 1 = next; 0 = already running. */
  position: z.int().min(0),
  /** Runs ahead of it on the platform (pending or in flight). */
  ahead: z.int().min(0),
  start: etaRangeSchema.nullable(),
  /** When the build is expected to be done (its archive deployed right after). */
  finish: etaRangeSchema.nullable(),
  /** What its own duration rests on (see docs/eta.md). */
  basis: z.enum(['port', 'port-elsewhere', 'similar-size', 'platform', 'watcher']).nullable(),
  /** Why there is no estimate: nothing seen to estimate from, never chosen by the queue (blocked), or past the projection's limit. */
  unknown: z.enum(['no-history', 'not-selected', 'beyond-limit']).nullable(),
});

/** What `GET /api/eta?port=P[&platform=X]` answers and `portfarm eta` prints. */
export const etaAnswerSchema = z.strictObject({
  port: z.string(),
  generatedAt: iso,
  /** One per platform where a build of the port is queued or running; empty: nothing queued. */
  builds: z.array(portEtaSchema),
});

export type EtaAnswer = z.infer<typeof etaAnswerSchema>;
export type PortEta = z.infer<typeof portEtaSchema>;

/**
 * What `GET /api/eta/snapshot` answers: every builder queued or running on every platform with
 * its estimate, as of `generatedAt` (what `portfarm site build --eta` puts on the port pages).
 */
export const etaSnapshotSchema = z.strictObject({
  v: z.literal(1),
  generatedAt: iso,
  builds: z.array(portEtaSchema.extend({ port: z.string() })),
});

export type EtaSnapshot = z.infer<typeof etaSnapshotSchema>;
