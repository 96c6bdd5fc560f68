import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { ActionInputs } from '../../action/src/action-inputs.ts';
import { readActionInputs } from '../../action/src/action-inputs.ts';

export const MPBB_DOUBLE = resolve('test/mpbb-double/mpbb');
/** Node 24 from the npm devDependency first, so the double's `#!/usr/bin/env node` finds it. */
export const TEST_PATH = [resolve('node_modules/.bin'), process.env.PATH ?? ''].join(delimiter);
process.env.PATH = TEST_PATH;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `portfarm-${prefix}-`));
}

/** Inputs as action.yml's defaults plus the given ones, validated like the real action does. */
export function inputs(given: Record<string, string>): ActionInputs {
  const defaults: Record<string, string> = {
    port: '',
    mpbb: MPBB_DOUBLE,
    'work-dir': '',
    prefix: '/opt/local',
    'ports-sha': '',
    'ports-url': 'https://github.com/macports/macports-ports.git',
    portlist: '',
    force: 'false',
    'changed-since': '',
    'hand-off': 'true',
    'controller-url': '',
    audience: 'portfarm',
    'archive-site': 'https://packages.macports.org',
    'archive-site-private': 'https://packages-private.macports.org',
    'mirrordb-url': '',
    'distfiles-dir': '',
    'staging-dir': '',
    'deploy-command': '',
    'archive-digests': '',
    'site-url': 'https://build.macports.org',
  };
  const all = { ...defaults, ...given };
  return readActionInputs((name) => all[name] ?? '');
}
