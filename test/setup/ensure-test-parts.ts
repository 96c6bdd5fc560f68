// `npm test`'s pretest step: every system program the tests drive is here before the first test
// starts. Chromium comes from npm (@sparticuz/chromium, unpacked once) where its build runs; the
// rest, and Debian's Chromium where that build does not run, are installed with apt-get when this
// runs as root (a fresh machine, CI). Otherwise it stops at once naming the packages and the
// command, rather than letting the tests that need them fail one by one.
import { spawnSync } from 'node:child_process';
import { findOnPath } from './find-on-path.ts';
import { planTestParts, type MissingPart } from './plan-test-parts.ts';
import { findChromium } from './require-chromium.ts';
import { missingPartMessage, TEST_PARTS, type TestPartName } from './test-parts.ts';

async function missingParts(): Promise<MissingPart[]> {
  const missing: MissingPart[] = [];
  for (const name of Object.keys(TEST_PARTS) as TestPartName[]) {
    const part = TEST_PARTS[name];
    if (!part.forTests) continue;
    if (name === 'chromium') {
      const chromium = await findChromium();
      if ('missing' in chromium) missing.push({ name, detail: chromium.missing });
    } else if (findOnPath(part.binary, process.env['PATH']) === undefined) {
      missing.push({ name, detail: 'not found on PATH' });
    }
  }
  return missing;
}

function aptGet(args: string[]): void {
  // The lock timeout waits for an apt run already going (unattended upgrades at boot) instead of
  // failing. Its progress is shown only when it fails: a test log is not the place for dpkg's.
  const run = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (run.status === 0) return;
  process.stderr.write(`${run.stdout}${run.stderr}ensure-test-parts: apt-get ${args.join(' ')} failed (${run.error?.message ?? `exit ${String(run.status ?? run.signal)}`}); the packages the tests need are named above\n`);
  process.exit(1);
}

const plan = planTestParts(await missingParts(), process.getuid?.() === 0);
if (plan.kind === 'stop') {
  process.stderr.write(plan.message);
  process.exit(1);
}
if (plan.kind === 'install') {
  process.stdout.write(`ensure-test-parts: apt-get install ${plan.packages.join(' ')}\n`);
  aptGet(['update', '-qq']);
  aptGet(['install', '-y', '-qq', '--no-install-recommends', ...plan.packages]);
  const still = await missingParts();
  if (still.length > 0) {
    process.stderr.write(`ensure-test-parts: still missing after apt-get:\n${still.map((m) => `  - ${missingPartMessage(m.name, m.detail)}\n`).join('')}`);
    process.exit(1);
  }
}
