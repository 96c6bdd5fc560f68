/**
 * GitHub Actions' hard limits on a workflow run that the double enforces (GitHub docs, "Actions
 * limits" and "Workflow syntax": `jobs.<id>.strategy.matrix`, `jobs.<id>.outputs`).
 */

/** "A matrix will generate a maximum of 256 jobs per workflow run": past it, the job fails without running. */
export const MAX_MATRIX_JOBS = 256;

/**
 * "The total of all outputs in a single job can be a maximum of 1 MB": past it the runner's
 * "Evaluate and set job outputs" fails ("Job outputs exceed 1,048,576 bytes"), the job fails and
 * later jobs get no outputs from it.
 */
export const MAX_JOB_OUTPUT_BYTES = 1_048_576;

/** Whether a job's matrix expands past what GitHub runs. */
export function matrixTooLarge(combinations: number): boolean {
  return combinations > MAX_MATRIX_JOBS;
}

/** Whether a job's outputs (names and values, UTF-8) are more than GitHub keeps. */
export function outputsTooLarge(outputs: Readonly<Record<string, string>>): boolean {
  let bytes = 0;
  for (const [name, value] of Object.entries(outputs)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes > MAX_JOB_OUTPUT_BYTES;
}
