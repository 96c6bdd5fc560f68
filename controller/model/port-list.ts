import { z } from 'zod';
import { explainBadPortName, isPortName } from './port-name.ts';

/**
 * What a watcher run hands the controller: the ports `mpbb list-subports` printed, in
 * dependency order, and the ones it excluded with the reason it gave. Shared by the action
 * (which sends it) and the controller (which validates it): one schema, imported by both.
 */
export const portListSchema = z.strictObject({
  buildId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
  platform: z.string().min(1),
  portsRevision: z.string().regex(/^[0-9a-f]{7,40}$/, { error: 'must be a git commit sha' }),
  ports: z.array(z.string().refine(isPortName, { error: (issue) => explainBadPortName(String(issue.input)) ?? 'bad port name' })),
  excluded: z.array(z.strictObject({ port: z.string(), reason: z.string() })).default([]),
});

export type PortList = z.infer<typeof portListSchema>;
