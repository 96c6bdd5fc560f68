import { z } from 'zod';
import { PLATFORM_NAME } from './platform-name.ts';
import { isBuildId } from './build-id.ts';
import { explainBadPortName, isPortName } from './port-name.ts';
import { portDistfilesSchema } from './port-distfiles.ts';

/** More ports than MacPorts has (about 42,000 with subports): a list this long is not a watcher's. */
export const MAX_LISTED_PORTS = 100_000;

const portName = z.string().refine(isPortName, { error: (issue) => explainBadPortName(String(issue.input)) ?? 'bad port name' });

/**
 * What a watcher run hands the controller: the ports `mpbb list-subports` printed, in
 * dependency order, and the ones it excluded with the reason it gave; and, from a master
 * watcher, each listed port's distfiles as its Portfile's checksums give them (`port
 * distfiles`, evaluated before any port's build code ran): the only distfiles the port's
 * builder may add to the public mirror. Shared by the action
 * (which sends it) and the controller (which validates it): one schema, imported by both.
 */
export const portListSchema = z.strictObject({
  buildId: z.string().refine(isBuildId, { error: 'must be the portfarm build id of the watcher run (its build_id input), e.g. w-12' }),
  platform: z.string().regex(PLATFORM_NAME, { error: 'must be the platform of the run (its platform input), e.g. 15_arm64' }),
  portsRevision: z.string().regex(/^[0-9a-f]{7,40}$/, { error: 'must be a git commit sha' }),
  ports: z.array(portName).max(MAX_LISTED_PORTS, { error: `lists more than ${MAX_LISTED_PORTS.toLocaleString('en')} ports; MacPorts has fewer` }),
  excluded: z
    .array(z.strictObject({ port: portName, reason: z.string().max(2000, { error: 'is longer than 2,000 characters' }) }))
    .max(MAX_LISTED_PORTS, { error: `lists more than ${MAX_LISTED_PORTS.toLocaleString('en')} ports; MacPorts has fewer` })
    .default([]),
  distfiles: z.array(portDistfilesSchema).max(MAX_LISTED_PORTS, { error: `lists more than ${MAX_LISTED_PORTS.toLocaleString('en')} ports; MacPorts has fewer` }).optional(),
});

export type PortList = z.infer<typeof portListSchema>;
