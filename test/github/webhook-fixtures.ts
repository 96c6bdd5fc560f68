import { createRequire } from 'node:module';

interface ExampleGroup {
  readonly name: string;
  readonly examples: readonly Record<string, unknown>[];
}

const require = createRequire(import.meta.url);
const all = require('@octokit/webhooks-examples/api.github.com/index.json') as readonly ExampleGroup[];

/** A real payload from @octokit/webhooks-examples (deep copy), by event and index or action. */
export function webhookExample(event: string, pick: number | string = 0): Record<string, unknown> {
  const examples = all.find((g) => g.name === event)?.examples ?? [];
  const found = typeof pick === 'number' ? examples[pick] : examples.find((e) => e.action === pick);
  if (found === undefined) throw new Error(`no ${event} example ${String(pick)}`);
  return structuredClone(found);
}
