import type { ExecResult } from '../../controller/runners/backends/vm-backend.ts';
import type { RecipeStep } from '../../controller/images/recipe-step.ts';
import type { ExecHandler } from './recording-vm-backend.ts';

/**
 * A macOS VM as the recipe sees it: a step's check passes once its apply has run. Applies listed
 * in `failures` fail (exit 1) that many times first; `manualDone` marks manual steps done.
 */
export function simulatedMac(
  steps: readonly RecipeStep[],
  options: { done?: Iterable<string>; failures?: Map<string, number>; extra?: ExecHandler } = {},
): { handler: ExecHandler; done: Set<string> } {
  const done = new Set(options.done ?? []);
  const byCheck = new Map(steps.map((s) => [s.check, s.id]));
  const byApply = new Map(steps.flatMap((s) => (s.apply === null ? [] : [[s.apply, s.id] as const])));
  const handler: ExecHandler = (vmId, argv): ExecResult | Promise<ExecResult> => {
    const script = argv.at(-1) ?? '';
    const checked = byCheck.get(script);
    if (checked !== undefined) return { exitCode: done.has(checked) ? 0 : 1, stdout: '', stderr: '' };
    const applied = byApply.get(script);
    if (applied !== undefined) {
      const left = options.failures?.get(applied) ?? 0;
      if (left > 0) {
        options.failures?.set(applied, left - 1);
        return { exitCode: 1, stdout: '', stderr: `curl: (6) Could not resolve host: github.com` };
      }
      done.add(applied);
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    if (options.extra !== undefined) return options.extra(vmId, argv);
    return { exitCode: 127, stdout: '', stderr: `simulated mac: unknown command ${argv.join(' ')}` };
  };
  return { handler, done };
}
