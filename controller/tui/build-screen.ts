import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { buildDetailsPane } from './build-details-pane.ts';
import { buildHelpPane } from './build-help-pane.ts';
import { buildPane } from './build-pane.ts';
import { buildPortEtaPane } from './build-port-eta-pane.ts';
import type { PortEtaState } from './port-eta-store.ts';
import { countPaneItems } from './count-pane-items.ts';
import { filterSnapshot } from './filter-snapshot.ts';
import { fitText } from './fit-text.ts';
import { formatDuration } from './format-duration.ts';
import { PANE_IDS, PANE_TITLES, type PaneId } from './pane-id.ts';
import type { PaneModel } from './pane-model.ts';
import { runnerSuspicion } from './runner-suspicion.ts';
import type { ScreenModel } from './screen-model.ts';
import { lineText, segment, type ScreenLine } from './screen-line.ts';
import type { StatusState } from './status-state.ts';
import type { ViewState } from './view-state.ts';
import { wrapWords } from './wrap-words.ts';

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

const MARKER = 2;
const NO_PORT: PortEtaState = { port: null, answer: null, error: null };

/**
 * Lays out the dashboard: title, pane tabs, connection banner, the focused pane (or help, or
 * details) and the key line. It uses one line less than the terminal has, so ink redraws in
 * place instead of clearing the screen (no flicker).
 */
export function buildScreen(state: StatusState, view: ViewState, size: TerminalSize, portEta: PortEtaState = NO_PORT): ScreenModel {
  const width = Math.max(40, size.columns);
  const height = Math.max(8, size.rows - 1);
  const snapshot = state.snapshot === null ? null : filterSnapshot(state.snapshot, view.filter);
  const banner = buildBanner(state, width);
  const bodyHeight = Math.max(1, height - 3 - banner.length);
  const { body, position } = buildBody(state, snapshot, view, width, bodyHeight, portEta);
  return {
    title: buildTitle(state, width),
    tabs: buildTabs(snapshot, view, state.now, width),
    banner,
    body,
    footer: buildFooter(view, position, width),
  };
}

function buildTitle(state: StatusState, width: number): ScreenLine {
  const right =
    state.problem !== null
      ? state.receivedAt === null
        ? 'unreachable'
        : `stale ${formatDuration((state.now - state.receivedAt) / 1000)}`
      : state.mode === 'events'
        ? 'live'
        : state.mode === 'polling'
          ? `polling ${formatDuration(state.retryMs / 1000)}`
          : 'connecting';
  const repo = state.snapshot?.controller.repo;
  const left = `portfarm  ${repo === undefined ? '' : `${repo}  `}${state.url}`;
  const tone = state.problem !== null ? 'bad' : state.mode === 'connecting' ? 'warn' : 'ok';
  return [segment(fitText(left, width - right.length - 1), 'normal', { bold: true }), segment(' '), segment(right, tone, { bold: true })];
}

function buildTabs(snapshot: StatusSnapshot | null, view: ViewState, nowMs: number, width: number): ScreenLine {
  const counts = countPaneItems(snapshot);
  const warnings: Readonly<Record<PaneId, number>> = {
    hosts: snapshot?.hosts.filter((h) => h.refusing !== null).length ?? 0,
    runners: snapshot?.runners.filter((r) => runnerSuspicion(r, nowMs) !== null).length ?? 0,
    queues: 0,
    failures: 0,
    alerts: 0,
  };
  const line: ScreenLine = PANE_IDS.flatMap((pane) => {
    const focused = pane === view.pane;
    const label = `${PANE_TITLES[pane]} ${counts[pane]}${warnings[pane] > 0 ? ` !${warnings[pane]}` : ''}`;
    const tone = warnings[pane] > 0 || (pane === 'failures' && counts.failures > 0) || (pane === 'alerts' && counts.alerts > 0) ? 'warn' : 'normal';
    return [segment(focused ? `[${label}]` : ` ${label} `, focused ? 'accent' : tone, { bold: focused, inverse: focused }), segment(' ')];
  });
  const text = lineText(line);
  return text.length <= width ? line : [segment(fitText(text, width))];
}

function buildBanner(state: StatusState, width: number): ScreenLine[] {
  if (state.problem === null) return [];
  const { problem, hint, attempts, since } = state.problem;
  const failing = formatDuration((state.now - since) / 1000);
  const retry = `Retrying every ${formatDuration(state.retryMs / 1000)} (attempt ${attempts}, failing for ${failing})${state.snapshot === null ? '' : '; showing the last snapshot'}. Fix: ${hint}.`;
  return [
    ...wrapWords(`! ${problem}`, width).map((l) => [segment(fitText(l, width), 'bad', { bold: true })]),
    ...wrapWords(retry, width).map((l) => [segment(fitText(l, width), 'warn')]),
  ].slice(0, 5);
}

function buildBody(
  state: StatusState,
  snapshot: StatusSnapshot | null,
  view: ViewState,
  width: number,
  height: number,
  portEta: PortEtaState,
): { body: ScreenLine[]; position: string } {
  const inner = width - MARKER;
  let pane: PaneModel;
  let selected = -1;
  const count = countPaneItems(snapshot)[view.pane];
  if (view.overlay === 'help') pane = buildHelpPane();
  else if (snapshot === null) {
    const text = state.problem === null ? `connecting to ${state.url} ...` : 'no data yet';
    pane = { header: null, items: [], empty: text, selectable: false };
  } else if (view.overlay === 'port' && view.port !== null) {
    pane = buildPortEtaPane(portEta.port === view.port ? portEta : { port: view.port, answer: null, error: null }, snapshot, inner);
  } else if (view.overlay === 'details' && count > 0) {
    pane = buildDetailsPane(view.pane, snapshot, Math.min(view.selected[view.pane], count - 1), state.now, inner, view.queuedItem);
  } else {
    pane = buildPane(view.pane, snapshot, state.now, inner);
    if (count > 0) selected = Math.min(view.selected[view.pane], count - 1);
  }
  const lines: ScreenLine[] = [];
  if (pane.header !== null) lines.push([segment(' '.repeat(MARKER)), ...pane.header]);
  const visible = height - lines.length;
  if (pane.items.length === 0) {
    const empty = view.filter !== '' && snapshot !== null ? `nothing matches the filter "${view.filter}" (esc clears it)` : pane.empty;
    lines.push([segment(' '.repeat(MARKER)), segment(fitText(empty, inner), 'muted')]);
  } else {
    // Scroll just enough to keep the selected item on screen.
    const starts: number[] = [];
    let total = 0;
    for (const item of pane.items) {
      starts.push(total);
      total += item.lines.length;
    }
    const selStart = selected < 0 ? 0 : (starts[selected] ?? 0);
    const selEnd = selected < 0 ? 0 : selStart + (pane.items[selected]?.lines.length ?? 1);
    // Start at an item boundary, so a host's first line (its name) is never the one cut off.
    const offset = starts.find((start) => start >= selEnd - visible && start <= selStart) ?? selStart;
    pane.items.forEach((item, i) => {
      item.lines.forEach((line, j) => {
        const at = (starts[i] ?? 0) + j;
        if (at < offset || at >= offset + visible) return;
        const mark = i === selected && j === 0;
        lines.push([segment(mark ? '> ' : '  ', 'accent', { bold: true }), ...(mark ? line.map((s) => ({ ...s, inverse: true })) : line)]);
      });
    });
  }
  // A blank Text has no height in ink: pad with a space so the key line stays at the bottom.
  while (lines.length < height) lines.push([segment(' ')]);
  const position = selected >= 0 && pane.selectable ? `${PANE_TITLES[view.pane].toLowerCase()} ${selected + 1}/${count}` : '';
  return { body: lines.slice(0, height), position };
}

function buildFooter(view: ViewState, position: string, width: number): ScreenLine {
  let left: ScreenLine;
  if (view.editingFilter) left = [segment('filter: ', 'accent', { bold: true }), segment(`${view.filter}_`), segment('  enter keep  esc clear', 'muted')];
  else if (view.overlay === 'details' || view.overlay === 'port') left = [segment('esc back  tab pane  ? help  q quit', 'muted')];
  else if (view.overlay === 'help') left = [segment('? or esc: close help  q quit', 'muted')];
  else {
    const keys = '? help  / filter  tab pane  ↑↓ select  enter details  q quit';
    left = view.filter === '' ? [segment(keys, 'muted')] : [segment(`filter "${view.filter}"`, 'accent', { bold: true }), segment('  esc clear  ? help  q quit', 'muted')];
  }
  const leftWidth = width - position.length - 1;
  const text = lineText(left);
  const fitted: ScreenLine = text.length <= leftWidth ? [...left, segment(' '.repeat(leftWidth - text.length))] : [segment(fitText(text, leftWidth), 'muted')];
  return [...fitted, segment(' '), segment(position, 'muted')];
}
