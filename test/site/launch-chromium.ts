import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, headless, offline-quiet, with a fresh profile (testing.md recipe). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
