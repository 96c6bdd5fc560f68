import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** The fake `tart` executable (a Node script; PATH below makes `#!/usr/bin/env node` find Node 24). */
export const FAKE_TART = join(here, 'fake-tart', 'tart.ts');

/** Environment for the fake tart: its storage, its boot time, and node_modules/.bin first on PATH. */
export function tartEnv(home: string, bootMs: number): Record<string, string> {
  return { TART_HOME: home, FAKE_TART_BOOT_MS: String(bootMs), NODE_COMPILE_CACHE: join(tmpdir(), 'portfarm-fake-tart-cache'), PATH: `${join(root, 'node_modules', '.bin')}:/usr/bin:/bin` };
}
