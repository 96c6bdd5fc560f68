import type { z } from 'zod';

/** `number: -3 must be 0 or more`: the key, the value found and the fix, one zod issue per clause. */
export function explainLedgerProblem(error: z.ZodError, value: unknown): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
      if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}${key === '' ? '' : ` in ${key}`} (check the spelling)`;
      const found = valueAt(value, issue.path);
      const shown = found === undefined ? '(missing)' : short(JSON.stringify(found));
      return `${key === '' ? '(line)' : key}: ${shown} ${issue.message}`;
    })
    .join('; ');
}

function short(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}
