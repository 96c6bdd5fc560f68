import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { buildPane } from './build-pane.ts';
import { PANE_IDS, PANE_TITLES } from './pane-id.ts';
import { runnerSuspicion } from './runner-suspicion.ts';
import { lineText } from './screen-line.ts';

/** Wide enough that log URLs and alerts are never cut in a pipe or a file. */
export const PLAIN_WIDTH = 160;

/**
 * The one-shot plain-text report (stdout not a terminal): every pane in full, same columns as
 * the dashboard, no colour, no trailing spaces, ending in a newline.
 */
export function formatStatusText(snapshot: StatusSnapshot, url: string, nowMs: number): string {
  const out: string[] = [`portfarm ${snapshot.controller.repo} at ${url}, snapshot of ${snapshot.generatedAt}`];
  for (const pane of PANE_IDS) {
    const model = buildPane(pane, snapshot, nowMs, PLAIN_WIDTH - 2);
    const suspicious = pane === 'runners' ? snapshot.runners.filter((r) => runnerSuspicion(r, nowMs) !== null).length : 0;
    out.push('', `${PANE_TITLES[pane].toUpperCase()} (${model.items.length}${suspicious > 0 ? `, ${suspicious} suspicious` : ''})`);
    if (model.items.length === 0) {
      out.push(`  ${model.empty}`);
      continue;
    }
    if (model.header !== null) out.push(`  ${lineText(model.header)}`.trimEnd());
    for (const item of model.items) for (const line of item.lines) out.push(`  ${lineText(line)}`.trimEnd());
  }
  return `${out.join('\n')}\n`;
}
