import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { MPBB_DOUBLE, TEST_PATH, tempDir } from './fixtures.ts';

/**
 * Runs the committed bundle (action/dist/index.js, what GitHub runs) the way a runner does:
 * inputs as INPUT_* variables, outputs and the summary through the files the runner reads.
 */
export async function runAction(inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const dir = tempDir('runner');
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: TEST_PATH,
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_REPOSITORY: 'macports/macports-ports',
    GITHUB_RUN_ID: '9100200300',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dir,
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const result = await execa('node', [resolve('action/dist/index.js')], { env, extendEnv: false, reject: false, cwd: dir });
  const outputs: Record<string, string> = {};
  // $GITHUB_OUTPUT uses name<<delimiter\nvalue\ndelimiter blocks.
  for (const match of readFileSync(outputFile, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1] ?? ''] = match[3] ?? '';
  return { exitCode: result.exitCode, stdout: result.stdout, outputs, summary: readFileSync(summaryFile, 'utf8'), dir };
}


/** action.yml's defaults for the inputs every test passes. */
export const ACTION_DEFAULTS = {
  mpbb: MPBB_DOUBLE,
  prefix: '/opt/local',
  'ports-url': 'https://github.com/macports/macports-ports.git',
  force: 'false',
  'hand-off': 'true',
  audience: 'portfarm',
  'archive-site': 'https://packages.macports.org',
  'archive-site-private': 'https://packages-private.macports.org',
  'site-url': 'https://build.macports.org',
};
