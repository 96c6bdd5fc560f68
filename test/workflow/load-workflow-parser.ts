import { registerHooks } from 'node:module';

/**
 * `@actions/workflow-parser` 0.3.x imports its schema JSON without `with { type: 'json' }`,
 * which Node 24 refuses (ERR_IMPORT_ATTRIBUTE_MISSING). This hook adds the attribute for that
 * package's JSON files only; the parser is then imported dynamically, after the hook exists.
 */
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (resolved.url.includes('/@actions/workflow-parser/') && resolved.url.endsWith('.json')) {
      return { ...resolved, importAttributes: { ...resolved.importAttributes, type: 'json' }, format: 'json' };
    }
    return resolved;
  },
});

export const workflowParser = await import('@actions/workflow-parser');
