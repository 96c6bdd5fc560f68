import { z } from 'zod';
import { isSafeRelativePath } from './safe-relative-path.ts';
import { explainBadPortName, isPortName } from './port-name.ts';

const SHA256 = /^[0-9a-f]{64}$/;
const FILE_NAME = /^[A-Za-z0-9_+~][A-Za-z0-9._+~=,@-]*$/;

/**
 * The distfiles of one port at one ports revision, as its Portfile's `checksums` give them and
 * MacPorts lays them out: `distfiles/<distSubdir>/<name>` (dist_subdir defaults to the port's
 * name; some Portfiles set e.g. `${name}/${version}`). This is what a build of the port may add
 * to the public mirror, and nothing else: it comes from the Portfile at the revision the
 * watcher listed (evaluated before any port's build code ran), never from the build VM.
 */
export const portDistfilesSchema = z.strictObject({
  port: z.string().refine(isPortName, { error: (issue) => explainBadPortName(String(issue.input)) ?? 'bad port name' }),
  distSubdir: z.string().refine(isSafeRelativePath, { error: (issue) => `dist_subdir ${JSON.stringify(issue.input)} is not a plain relative folder` }),
  files: z.array(
    z.strictObject({
      name: z.string().regex(FILE_NAME, { error: (issue) => `${JSON.stringify(issue.input)} is not a plain distfile name` }),
      size: z.int().nonnegative({ error: 'must be the size in bytes from the Portfile\'s checksums' }),
      sha256: z.string().regex(SHA256, { error: 'must be the sha256 from the Portfile\'s checksums (64 lowercase hex digits)' }),
    }),
  ),
});

export type PortDistfiles = z.output<typeof portDistfilesSchema>;
