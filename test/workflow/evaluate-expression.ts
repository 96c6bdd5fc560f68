import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';

export type JobStatus = 'success' | 'failure' | 'cancelled';

/** Contexts a step's `if:` or a `${{ }}` can read, as plain JSON. */
export interface ExpressionContext {
  readonly [name: string]: unknown;
}

const CONTEXT_NAMES = ['github', 'inputs', 'vars', 'needs', 'steps', 'env', 'matrix', 'strategy', 'runner', 'job', 'secrets'];

function statusFunctions(status: JobStatus): Map<string, FunctionDefinition> {
  const fn = (name: string, value: boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 255, call: () => new data.BooleanData(value) },
  ];
  return new Map([
    fn('success', status === 'success'),
    fn('failure', status === 'failure'),
    fn('cancelled', status === 'cancelled'),
    fn('always', true),
  ]);
}

function toDictionary(context: ExpressionContext): data.Dictionary {
  const revived: unknown = JSON.parse(JSON.stringify(context), data.reviver);
  if (!(revived instanceof data.Dictionary)) throw new Error('expression context must be an object');
  return revived;
}

/** Evaluates one expression (no `${{ }}`) the way the runner does, status functions included. */
export function evaluateExpression(expression: string, context: ExpressionContext, status: JobStatus = 'success'): data.ExpressionData {
  const functions = statusFunctions(status);
  const tokens = new Lexer(expression).lex().tokens;
  const parsed = new Parser(tokens, CONTEXT_NAMES, [...functions.values()]).parse();
  return new Evaluator(parsed, toDictionary(context), functions).evaluate();
}

export function isTrue(expression: string, context: ExpressionContext, status: JobStatus = 'success'): boolean {
  return truthy(evaluateExpression(expression, context, status));
}

/** Replaces every `${{ expr }}` in a template string by its value, as GitHub does for `run-name`, labels and `with:`. */
export function evaluateTemplate(template: string, context: ExpressionContext): string {
  return template.replace(/\$\{\{(.*?)\}\}/gs, (_whole, expression: string) => {
    const value = evaluateExpression(expression.trim(), context);
    return value instanceof data.Null ? '' : value.coerceString();
  });
}

/** A whole-`${{ expr }}` value as plain JSON (a matrix list from `fromJSON(…)`); any other string is a template. */
export function evaluateValue(value: unknown, context: ExpressionContext): unknown {
  if (typeof value !== 'string') return value;
  const whole = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(value);
  if (whole?.[1] === undefined) return evaluateTemplate(value, context);
  return JSON.parse(JSON.stringify(evaluateExpression(whole[1].trim(), context), data.replacer)) as unknown;
}
