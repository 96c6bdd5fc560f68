import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PortDistfiles } from '../../controller/model/port-distfiles.ts';
import type { Exec } from './exec.ts';
import { parsePortDistfiles } from './parse-port-distfiles.ts';
import type { StepReporter } from './step-reporter.ts';

/** Ports per `port distfiles` call: one MacPorts start-up for many ports, and command lines stay short. */
const BATCH = 200;

/**
 * The listed ports' distfiles as their Portfiles' checksums give them, from `port distfiles` in
 * the watcher's VM: the Portfiles at the listed revision are evaluated, no port's build code has
 * run. The controller lets a builder add to the public mirror only these files, byte for byte.
 * A batch that fails is left out with a warning (those ports' distfiles are then not mirrored);
 * undefined when MacPorts is not installed at `prefix`.
 */
export async function listPortDistfiles(exec: Exec, reporter: StepReporter, prefix: string, ports: readonly string[]): Promise<PortDistfiles[] | undefined> {
  const port = join(prefix, 'bin', 'port');
  if (!existsSync(port)) {
    reporter.info(`No MacPorts at ${port}: no distfile checksums handed over, so the controller mirrors none of these ports' distfiles.`);
    return undefined;
  }
  const found: PortDistfiles[] = [];
  for (let at = 0; at < ports.length; at += BATCH) {
    const batch = ports.slice(at, at + BATCH);
    const result = await exec(port, ['distfiles', ...batch], { onLine: () => undefined });
    if (result.exitCode !== 0) {
      const why = result.failure?.message ?? `exit ${String(result.exitCode)}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      reporter.warning(`port distfiles failed for ${batch.length} port(s) (${why}); their distfiles will not be mirrored`, 'distfile checksums');
      continue;
    }
    const parsed = parsePortDistfiles(result.stdout, join(prefix, 'var', 'macports', 'distfiles'));
    found.push(...parsed.ports);
    for (const skipped of parsed.skipped) reporter.info(`  distfiles of ${skipped.port} not mirrorable: ${skipped.why}`);
  }
  reporter.info(`Distfile checksums of ${found.length} port(s) handed over with the list.`);
  return found;
}
