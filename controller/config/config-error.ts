import { UserError } from '../errors/user-error.ts';

/** One problem in a config file: which key, what value was found, and how to fix it. */
export interface ConfigProblem {
  readonly key: string;
  readonly value: unknown;
  readonly message: string;
}

export class ConfigError extends UserError {
  readonly problems: readonly ConfigProblem[];
  constructor(source: string, problems: readonly ConfigProblem[]) {
    super(
      [`${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the config:`]
        .concat(problems.map((p) => `  - ${p.key}: ${describeValue(p.value)} ${p.message}`))
        .join('\n'),
      { exitCode: 2 },
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
