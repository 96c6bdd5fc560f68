/**
 * What a step tells the runner: log lines and groups, annotations, outputs and the job
 * summary. `main.ts` backs it with `@actions/core`; tests record it. Domain code sees only this.
 */
export interface StepReporter {
  info(line: string): void;
  startGroup(name: string): void;
  endGroup(): void;
  warning(message: string, title: string): void;
  error(message: string, title: string): void;
  setOutput(name: string, value: string): void;
  appendSummary(markdown: string): Promise<void>;
}
