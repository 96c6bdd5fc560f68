import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { archivedStepLog, MPBB_STEP_LOGS } from '../../site/lookup/archived-step-log.ts';
import { writeFileDurably } from '../io/write-file-durably.ts';

/**
 * What a VM backend that can reach the VM's disk does before destroying it: copies mpbb's step
 * logs (`<work>/logs/port-contents.txt` …) into the build's archive folder under their buildbot
 * names, where the controller's archiver finds and links them. The demo's VMs are folders, so
 * its runners do this; on GitHub-hosted or unreachable VMs the job log carries the same logs.
 * Returns how many logs were copied.
 */
export async function collectStepLogs(mpbbLogDir: string, archiveFolder: string): Promise<number> {
  let copied = 0;
  for (const [step, logs] of Object.entries(MPBB_STEP_LOGS)) {
    for (const { log, file } of logs) {
      let text: Buffer;
      try {
        text = await readFile(join(mpbbLogDir, file));
      } catch (caught) {
        if ((caught as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw caught;
      }
      await writeFileDurably(join(archiveFolder, archivedStepLog(step, log)), gzipSync(text));
      copied += 1;
    }
  }
  return copied;
}
