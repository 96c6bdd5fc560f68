import type { RecipeStep } from './recipe-step.ts';

export interface PreparePlan {
  readonly platform: string;
  readonly imageName: string;
  readonly backend: string;
  readonly host: string;
  readonly from: string;
  readonly vmId: string;
  readonly ownsVm: boolean;
  readonly recipe: readonly RecipeStep[];
  /** Host-side sealing steps, or why this backend cannot seal. */
  readonly seal: readonly RecipeStep[] | string;
  readonly runnerVersion: string;
  readonly macportsVersion: string;
  readonly becomesCurrent: boolean;
}

/** What `image prepare --dry-run` prints: every script exactly as it would run, in order. */
export function formatPreparePlan(plan: PreparePlan): string {
  const lines: string[] = [
    `plan: ${plan.platform} → ${plan.imageName} (${plan.backend} on ${plan.host}) from ${plan.from}`,
    plan.ownsVm ? `VM ${plan.vmId}: cloned from ${plan.from.replace(/^image:/, '')}, destroyed after sealing` : `VM ${plan.vmId}: prepared in place and stopped for sealing`,
    'In the VM, each script runs as root (sudo -n /bin/sh -eu -c SCRIPT); a step whose check exits 0 is skipped.',
    '',
  ];
  const show = (n: number, step: RecipeStep): void => {
    lines.push(`${String(n).padStart(2)}. ${step.id}: ${step.title}`);
    lines.push(...indent('check', step.check));
    if (step.apply === null) lines.push(`    apply: (manual) ${step.manual ?? ''}`);
    else lines.push(...indent('apply', step.apply));
  };
  plan.recipe.forEach((step, i) => {
    show(i + 1, step);
  });
  lines.push('', `On host ${plan.host} (/bin/sh -eu -c SCRIPT):`);
  if (typeof plan.seal === 'string') lines.push(`    (no sealing: ${plan.seal})`);
  else
    plan.seal.forEach((step, i) => {
      show(plan.recipe.length + i + 1, step);
    });
  lines.push(
    '',
    `then: register ${plan.imageName} (runner ${plan.runnerVersion}, MacPorts ${plan.macportsVersion}); ` +
      (plan.becomesCurrent ? 'it becomes current (the platform has no image yet)' : 'current stays as is until portfarm image rollout'),
    'dry run: nothing was changed',
  );
  return `${lines.join('\n')}\n`;
}

function indent(label: string, script: string): string[] {
  const [first = '', ...rest] = script.split('\n');
  return [`    ${label}: ${first}`, ...rest.map((line) => `           ${line}`)];
}
