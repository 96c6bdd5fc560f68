import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Exec } from './exec.ts';
import { partitionPortNames } from '../../controller/model/port-name.ts';
import { portsFromPaths, type NamedPorts } from './ports-from-paths.ts';
import { StepFailure } from './step-failure.ts';

/**
 * Every port directory of a checked-out ports tree (`<category>/<port>/Portfile`), for a full
 * rebuild. Directory names are whatever was committed: those that are not port names are
 * returned as rejected, not listed.
 */
export function listAllPorts(portsDir: string): NamedPorts {
  const ports: string[] = [];
  for (const category of readdirSync(portsDir, { withFileTypes: true })) {
    if (!category.isDirectory() || category.name.startsWith('.') || category.name.startsWith('_')) continue;
    for (const port of readdirSync(join(portsDir, category.name), { withFileTypes: true })) {
      if (port.isDirectory()) ports.push(port.name);
    }
  }
  const { valid, rejected } = partitionPortNames(ports.sort((a, b) => a.localeCompare(b)));
  return { ports: valid, rejected };
}

/** The ports changed between two commits of the checked-out tree (`git diff --name-only`), for PR builds. */
export async function listChangedPorts(exec: Exec, portsDir: string, from: string, to: string): Promise<NamedPorts> {
  const result = await exec('git', ['-C', portsDir, 'diff', '--name-only', from, to], { onLine: () => undefined });
  if (result.exitCode !== 0) {
    throw new StepFailure(
      `could not list the ports changed between ${from} and ${to} in ${portsDir}: ${result.failure?.message ?? result.stderr.trim()}; check the changed-since and ports-sha inputs (both commits must be in the checked-out tree)`,
      { title: 'changed ports not listed', phase: 'list-subports', retryable: false, ...(result.failure === undefined ? {} : { cause: result.failure }) },
    );
  }
  return portsFromPaths(result.stdout.split('\n'));
}
