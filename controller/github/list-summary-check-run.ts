import type { CheckRunState } from './check-run-publisher.ts';

/** GitHub refuses an `output.summary` over 65,535 characters; the table stops well before. */
const SUMMARY_BUDGET = 60_000;

/** A port of a long list that failed, with its stable log URL from the site. */
export interface ListedFailure {
  readonly port: string;
  readonly failingPhase?: string;
  readonly logUrl?: string;
}

/** One platform's tally of a port list too long for a check per port, on one commit. */
export interface ListSummary {
  readonly headSha: string;
  readonly platform: string;
  /** A maintainer's forced rebuild of every port (else a long list, such as a big revbump). */
  readonly forced: boolean;
  readonly total: number;
  readonly started: number;
  readonly built: number;
  readonly failed: number;
  /** Cancelled or skipped builds: finished, neither built nor failed. */
  readonly other: number;
  /** In the order they failed. */
  readonly failures: readonly ListedFailure[];
  /** Ports per list up to which each port has its own check (named in the summary). */
  readonly portChecksPerList: number;
  readonly at: Date;
}

/** The summary check's name: a space never occurs in a port name, so no port's check has it. */
export function listSummaryName(platform: string): string {
  return `build summary (${platform})`;
}

/** The summary check's external id on its commit: a space never occurs in a port name, so no port's (`<platform>/<port>`) is this. */
export function listSummaryExternalId(platform: string): string {
  return `${platform} summary`;
}

const count = (n: number): string => n.toLocaleString('en');

/** `full rebuild on 15_arm64: 12,345 of 41,548 built, 37 failed` (and `, 3 cancelled` when some were). */
export function listSummaryTitle(summary: ListSummary): string {
  const what = summary.forced ? 'full rebuild' : `${count(summary.total)} ports`;
  const other = summary.other === 0 ? '' : `, ${count(summary.other)} cancelled`;
  return `${what} on ${summary.platform}: ${count(summary.built)} of ${count(summary.total)} built, ${count(summary.failed)} failed${other}`;
}

function failureRow(failure: ListedFailure): string {
  const log = failure.logUrl === undefined ? '—' : `[log](${failure.logUrl})`;
  return `| ${failure.port} | ${failure.failingPhase ?? '—'} | ${log} |`;
}

/** The Markdown summary: why there is no check per port, then the failures with their logs (as many as fit). */
export function listSummaryText(summary: ListSummary): string {
  const lines = [
    `${count(summary.total)} ports listed on ${summary.platform}, more than the ${count(summary.portChecksPerList)} that get a check each: this check counts them, and every port that fails gets its own check.`,
    '',
  ];
  if (summary.failures.length === 0) return [...lines, summary.failed === 0 ? 'No port has failed.' : ''].join('\n').trimEnd();
  lines.push('| Port | Failing phase | Log |', '| --- | --- | --- |');
  let length = lines.join('\n').length;
  let shown = 0;
  for (const failure of summary.failures) {
    const row = failureRow(failure);
    if (length + row.length + 200 > SUMMARY_BUDGET) break;
    lines.push(row);
    length += row.length + 1;
    shown += 1;
  }
  const rest = summary.failures.length - shown;
  if (rest > 0) lines.push('', `… and ${count(rest)} more failures: the site lists every build.`);
  return lines.join('\n');
}

/** The summary's state as a check run: queued, in progress once a build starts, completed when every port finished. */
export function listSummaryCheckRun(summary: ListSummary): CheckRunState {
  const finished = summary.built + summary.failed + summary.other;
  const done = finished >= summary.total;
  const base = {
    headSha: summary.headSha,
    externalId: listSummaryExternalId(summary.platform),
    name: listSummaryName(summary.platform),
    output: { title: listSummaryTitle(summary), summary: listSummaryText(summary) },
    at: summary.at,
  };
  if (done) return { ...base, status: 'completed', conclusion: summary.failed > 0 ? 'failure' : summary.other > 0 ? 'neutral' : 'success' };
  return { ...base, status: summary.started > 0 || finished > 0 ? 'in_progress' : 'queued' };
}
