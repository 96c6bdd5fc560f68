import { chromium, type Browser } from 'playwright-core';
import { requireChromium } from '../setup/require-chromium.ts';

/**
 * Headless Chromium, offline-quiet, with a fresh profile (testing.md recipe): the build npm
 * installed (@sparticuz/chromium) or Debian's. Fails at once, naming the package and the command,
 * when neither is there.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await requireChromium(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
