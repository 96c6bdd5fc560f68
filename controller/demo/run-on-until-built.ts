import { existsSync } from 'node:fs';
import { readLedger } from '../../site/ledger/read-ledger.ts';
import { sleep } from './wait-for.ts';

export interface RunOnOptions {
  readonly ledgerPath: string;
  readonly platforms: readonly string[];
  /** How many port builds each platform's builder must have recorded (the site and its readers need two). */
  readonly perPlatform: number;
  /** The most the demo runs on past its time. */
  readonly limitMs: number;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

/** Port builds recorded in the ledger per platform (`ports-<platform>-builder` entries). */
export async function portBuildsPerPlatform(ledgerPath: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!existsSync(ledgerPath)) return counts;
  for await (const { entry } of readLedger(ledgerPath, { onTornLine: () => undefined, onUnsafeUrl: () => undefined, ...(signal === undefined ? {} : { signal }) })) {
    const platform = /^ports-(.+)-builder$/.exec(entry.builder)?.[1];
    if (platform !== undefined) counts.set(platform, (counts.get(platform) ?? 0) + 1);
  }
  return counts;
}

/**
 * The demo's time is wall time, and on a slow or busy machine it can run out while every VM
 * slot still went to watchers: the demo would end without having built a port. It runs on
 * (saying so, at most `limitMs`) until each platform's builder has recorded `perPlatform` builds,
 * so what it shows — builds, the site, its machine readers — is there however slow the machine.
 * Returns the platforms still short when the limit came.
 */
export async function runOnUntilBuilt(options: RunOnOptions): Promise<string[]> {
  const until = Date.now() + options.limitMs;
  let said = false;
  for (;;) {
    const counts = await portBuildsPerPlatform(options.ledgerPath, options.signal);
    const short = options.platforms.filter((p) => (counts.get(p) ?? 0) < options.perPlatform);
    if (short.length === 0 || options.signal.aborted) return short;
    if (Date.now() >= until) {
      options.say(`still no ${String(options.perPlatform)} port builds on ${short.join(', ')} after ${String(Math.round(options.limitMs / 1000))} s more: stopping anyway`);
      return short;
    }
    if (!said) {
      said = true;
      options.say(`time is up, but ${short.join(', ')} ${short.length === 1 ? 'has' : 'have'} built fewer than ${String(options.perPlatform)} ports (a slow or busy machine): running on until it has, ${String(Math.round(options.limitMs / 1000))} s at most`);
    }
    await sleep(500, options.signal);
  }
}
