/**
 * GitHub's hard limits on check runs, as the double enforces them (GitHub docs: "Actions
 * limits"; changelog 2020-09-14 "New limits affecting the Checks API"). A commit has one check
 * suite per App: it holds at most 50,000 check runs and further creates fail (GitHub does not
 * document the answer's text; the double answers 422, as for every refused create). Of the
 * runs with one name in a suite GitHub keeps the newest 1,000 and deletes older ones. (An
 * `output.summary` over 65,535 characters is refused by the OpenAPI check, schema-validator.ts.)
 */
export interface CheckSuiteLimitValues {
  readonly runsPerSuite: number;
  readonly runsPerName: number;
}

export const GITHUB_CHECK_SUITE_LIMITS: CheckSuiteLimitValues = { runsPerSuite: 50_000, runsPerName: 1_000 };

interface Suite {
  count: number;
  readonly byName: Map<string, number[]>;
}

export class CheckSuiteLimits {
  readonly #limits: CheckSuiteLimitValues;
  readonly #suites = new Map<string, Suite>();

  constructor(limits: CheckSuiteLimitValues = GITHUB_CHECK_SUITE_LIMITS) {
    this.#limits = limits;
  }

  /** Why GitHub refuses this create, or null when it may be made. */
  refusal(create: { readonly app: string; readonly headSha: string }): string | null {
    const suite = this.#suites.get(`${create.app}\t${create.headSha}`);
    if (suite !== undefined && suite.count >= this.#limits.runsPerSuite) {
      return `Invalid request. The check suite for ${create.headSha} already has ${this.#limits.runsPerSuite.toLocaleString('en')} check runs, the most it may hold.`;
    }
    return null;
  }

  /** Counts a created run; returns the ids of the older runs of its name that GitHub now deletes. */
  created(run: { readonly id: number; readonly app: string; readonly headSha: string; readonly name: string }): number[] {
    const key = `${run.app}\t${run.headSha}`;
    const suite = this.#suites.get(key) ?? { count: 0, byName: new Map<string, number[]>() };
    this.#suites.set(key, suite);
    const ids = suite.byName.get(run.name) ?? [];
    suite.byName.set(run.name, ids);
    ids.push(run.id);
    suite.count += 1;
    const deleted = ids.splice(0, Math.max(0, ids.length - this.#limits.runsPerName));
    suite.count -= deleted.length;
    return deleted;
  }
}
