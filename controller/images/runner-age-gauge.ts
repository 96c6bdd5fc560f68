import { Gauge, type Registry } from 'prom-client';
import type { RunnerAge } from './assess-runner-age.ts';

const STATUS_CODE = { current: 0, outdated: 1, expiring: 2, refused: 3, unknown: 4 } as const;

export interface RunnerAgeGauges {
  /** Replaces every series with the latest assessment (images that left rollout disappear). */
  update(ages: readonly RunnerAge[]): void;
}

/**
 * `/metrics` view of runner-age detection:
 *  - portfarm_image_runner_status{platform,image,role,runner_version}: 0 current, 1 outdated
 *    (newer release exists, still accepted), 2 expiring (within the warning window), 3 refused,
 *    4 unknown (releases could not be fetched);
 *  - portfarm_image_runner_days_until_refusal: days left (negative once refused), only for
 *    images with a newer runner release;
 *  - portfarm_image_runner_age_days{platform,image}: days since the image's runner was released;
 *  - portfarm_image_runner_refused / portfarm_image_runner_expiring{platform,image}: 0 or 1, for
 *    alert rules that fire before jobs start failing.
 */
export function createRunnerAgeGauges(registry: Registry): RunnerAgeGauges {
  const labelNames = ['platform', 'image', 'role', 'runner_version'] as const;
  const status = new Gauge({
    name: 'portfarm_image_runner_status',
    help: 'Actions runner in a rolled-out image: 0 current, 1 outdated, 2 expiring, 3 refused by GitHub, 4 unknown',
    labelNames,
    registers: [registry],
  });
  const daysLeft = new Gauge({
    name: 'portfarm_image_runner_days_until_refusal',
    help: 'Days until GitHub refuses the actions runner in a rolled-out image (negative: already refused)',
    labelNames,
    registers: [registry],
  });
  const byImage = ['platform', 'image'] as const;
  const ageDays = new Gauge({
    name: 'portfarm_image_runner_age_days',
    help: 'Days since the actions runner in a rolled-out image was released (since the image was sealed if the release is unknown)',
    labelNames: byImage,
    registers: [registry],
  });
  const refused = new Gauge({
    name: 'portfarm_image_runner_refused',
    help: '1 when GitHub refuses the actions runner of a rolled-out image: jobs on its VMs will not start',
    labelNames: byImage,
    registers: [registry],
  });
  const expiring = new Gauge({
    name: 'portfarm_image_runner_expiring',
    help: '1 when GitHub will refuse the actions runner of a rolled-out image within the warning window (images.runnerWarnDays)',
    labelNames: byImage,
    registers: [registry],
  });
  return {
    update(ages) {
      for (const gauge of [status, daysLeft, ageDays, refused, expiring]) gauge.reset();
      for (const a of ages) {
        const labels = { platform: a.platform, image: a.image, role: a.role, runner_version: a.runnerVersion };
        status.set(labels, STATUS_CODE[a.status]);
        if (a.daysLeft !== null) daysLeft.set(labels, a.daysLeft);
        const image = { platform: a.platform, image: a.image };
        ageDays.set(image, a.ageDays);
        refused.set(image, a.status === 'refused' ? 1 : 0);
        expiring.set(image, a.status === 'expiring' ? 1 : 0);
      }
    },
  };
}
