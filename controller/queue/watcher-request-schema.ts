import { z } from 'zod';
import { explainBadPortName, isPortName } from '../model/port-name.ts';

/** What the GitHub face passes to `enqueueWatcher`, validated before the queue is touched. */
export const watcherRequestSchema = z.strictObject({
  platform: z.string().min(1),
  portsRevision: z.string().regex(/^[0-9a-f]{7,40}$/, { error: 'must be a git commit sha' }),
  /** A push's `before` (null for a new branch): links pushes so that a late one is ordered. */
  previousRevision: z.string().regex(/^[0-9a-f]{7,40}$/, { error: 'must be a git commit sha' }).nullable().optional(),
  changedPorts: z
    .array(z.string().refine(isPortName, { error: (issue) => explainBadPortName(String(issue.input)) ?? 'bad port name' }))
    .nullable(),
  force: z.boolean(),
  prNumber: z.int().positive().nullable(),
  now: z.date(),
  /** The webhook delivery that asked for it: a delivery worked on twice (a crash before it was marked done) queues one watcher. */
  deliveryId: z.string().min(1).optional(),
});

export type WatcherRequestInput = z.infer<typeof watcherRequestSchema>;
