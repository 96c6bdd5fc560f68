import type { ExcludedPort } from './parse-list-subports.ts';

export interface StepSummaryInput {
  readonly role: 'watcher' | 'builder';
  readonly step: string;
  readonly platform: string;
  readonly buildId: string;
  readonly port: string | undefined;
  readonly version: string | undefined;
  readonly portsRevision: string | undefined;
  readonly durationMs: number;
  readonly result: 'success' | 'failure';
  readonly retryable: boolean | undefined;
  readonly logUrl: string;
  readonly failure: string | undefined;
  readonly list?: {
    readonly ports: readonly string[];
    readonly excluded: readonly ExcludedPort[];
    readonly warnings: readonly string[];
    readonly handOff: string;
  };
  readonly archives?: { readonly public: readonly string[]; readonly private: readonly string[] };
}

const SHOWN_PORTS = 50;

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The job-summary section one action step writes: which role ran, what, how long, the result and the stable log link. */
export function buildStepSummary(input: StepSummaryInput): string {
  const subject = input.role === 'builder' ? `builder · ${input.port ?? ''}` : 'watcher';
  const result =
    input.result === 'success' ? '✅ success' : `❌ failure (${input.retryable === true ? 'retryable: re-run the job' : 'permanent: needs a change to the port or the inputs'})`;
  const rows: [string, string][] = [
    ['role', input.role],
    ['step', input.step],
  ];
  if (input.port !== undefined) rows.push(['port', input.version === undefined ? input.port : `${input.port} @${input.version}`]);
  rows.push(['platform', input.platform], ['build', input.buildId]);
  if (input.portsRevision !== undefined) rows.push(['ports revision', input.portsRevision]);
  rows.push(['duration', formatDuration(input.durationMs)], ['result', result], ['log', `[${input.logUrl}](${input.logUrl})`]);
  const lines = [`### portfarm ${subject} · ${input.platform} · ${input.step}`, '', '| | |', '| --- | --- |', ...rows.map(([key, value]) => `| ${key} | ${cell(value)} |`), ''];
  if (input.list !== undefined) {
    const { ports, excluded, warnings, handOff } = input.list;
    lines.push(`**${ports.length} port${ports.length === 1 ? '' : 's'} to build**, in dependency order:${ports.length === 0 ? ' none' : ''}`, '');
    if (ports.length > 0) {
      lines.push(ports.slice(0, SHOWN_PORTS).map((port, index) => `${index + 1}. ${port}`).join('\n'));
      if (ports.length > SHOWN_PORTS) lines.push(`\n…and ${ports.length - SHOWN_PORTS} more (all are in the \`ports\` output)`);
      lines.push('');
    }
    if (excluded.length > 0) {
      lines.push(`**${excluded.length} excluded** by mpbb:`, '', '| port | reason |', '| --- | --- |', ...excluded.map((entry) => `| ${cell(entry.port)} | ${cell(entry.reason)} |`), '');
    }
    if (warnings.length > 0) lines.push('**mpbb warnings:**', '', ...warnings.map((warning) => `- ${warning}`), '');
    lines.push(`Hand-off: ${handOff}`, '');
  }
  if (input.archives !== undefined) {
    const staged = [...input.archives.public.map((name) => `- public: ${name}`), ...input.archives.private.map((name) => `- private: ${name}`)];
    lines.push(staged.length === 0 ? 'No archives staged (all already uploaded).' : `Staged archives:\n\n${staged.join('\n')}`, '');
  }
  if (input.failure !== undefined) lines.push('```text', input.failure, '```', '');
  return `${lines.join('\n')}\n`;
}
