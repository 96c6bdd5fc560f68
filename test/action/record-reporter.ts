import type { StepReporter } from '../../action/src/step-reporter.ts';

/** A StepReporter that keeps what a runner would show, as workflow-command-like lines. */
export function recordReporter(): StepReporter & { readonly lines: string[]; readonly outputs: Map<string, string>; readonly summaries: string[] } {
  const lines: string[] = [];
  const outputs = new Map<string, string>();
  const summaries: string[] = [];
  return {
    lines,
    outputs,
    summaries,
    info: (line) => lines.push(line),
    startGroup: (name) => lines.push(`::group::${name}`),
    endGroup: () => lines.push('::endgroup::'),
    warning: (message, title) => lines.push(`::warning title=${title}::${message}`),
    error: (message, title) => lines.push(`::error title=${title}::${message}`),
    setOutput: (name, value) => outputs.set(name, value),
    appendSummary: (markdown) => {
      summaries.push(markdown);
      return Promise.resolve();
    },
  };
}
