import ts from 'typescript';

/** One single-point change to a source file, as a real bug could look. */
export interface Mutant {
  /** `<file>:<line>:<column>#<n>`, stable for one version of the file. */
  readonly id: string;
  readonly operator: string;
  readonly line: number;
  readonly column: number;
  /** The replaced text and what replaces it (`start`..`end` of the file's text). */
  readonly original: string;
  readonly replacement: string;
  readonly start: number;
  readonly end: number;
  /**
   * Where the code whose run decides the mutant begins: `start`, except for a binary operator,
   * whose expression begins at its left operand (V8 counts `?? b`, `|| b`, `&& b` as the right
   * operand's block: a test that never runs `b` still runs the operator).
   */
  readonly reach: number;
}

const OPERATOR_SWAPS: Readonly<Partial<Record<ts.SyntaxKind, readonly string[]>>> = {
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: ['!=='],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: ['==='],
  [ts.SyntaxKind.EqualsEqualsToken]: ['!='],
  [ts.SyntaxKind.ExclamationEqualsToken]: ['=='],
  [ts.SyntaxKind.LessThanToken]: ['<=', '>='],
  [ts.SyntaxKind.LessThanEqualsToken]: ['<', '>'],
  [ts.SyntaxKind.GreaterThanToken]: ['>=', '<='],
  [ts.SyntaxKind.GreaterThanEqualsToken]: ['>', '<'],
  [ts.SyntaxKind.PlusToken]: ['-'],
  [ts.SyntaxKind.MinusToken]: ['+'],
  [ts.SyntaxKind.AsteriskToken]: ['/'],
  [ts.SyntaxKind.SlashToken]: ['*'],
  [ts.SyntaxKind.AmpersandAmpersandToken]: ['||'],
  [ts.SyntaxKind.BarBarToken]: ['&&'],
  [ts.SyntaxKind.QuestionQuestionToken]: ['&&'],
  [ts.SyntaxKind.PlusEqualsToken]: ['-='],
  [ts.SyntaxKind.MinusEqualsToken]: ['+='],
};

/** Calls whose receiver is a plausible wrong result (the call forgotten), or whose twin is a plausible slip. */
const METHOD_DROPS = new Set(['toLowerCase', 'toUpperCase', 'trim', 'filter', 'sort', 'slice']);
const METHOD_SWAPS: Readonly<Record<string, string>> = {
  startsWith: 'endsWith',
  endsWith: 'startsWith',
  some: 'every',
  every: 'some',
  min: 'max',
  max: 'min',
  find: 'findLast',
  indexOf: 'lastIndexOf',
};

/**
 * The mutants of one TypeScript file, from its syntax tree: comparison, arithmetic and logical
 * operators swapped; conditions of `if`, `while` and `?:` forced true and false; `!` dropped;
 * booleans flipped; an expression statement removed; a string literal emptied (not in a log
 * call or a built-in error's message: only people read those); a forgotten or
 * swapped call (`toLowerCase`, `some`/`every`, `Math.min`/`max`, …); `x[0]` read from the
 * other end. Types, imports and property names are left alone: type stripping would not see
 * the change, or the module would not load.
 */
export function mutateSource(fileName: string, text: string): Mutant[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2024, true, ts.ScriptKind.TS);
  const out: Mutant[] = [];
  const add = (operator: string, start: number, end: number, replacement: string, reach = start): void => {
    const { line, character } = source.getLineAndCharacterOfPosition(start);
    out.push({
      id: `${fileName}:${String(line + 1)}:${String(character + 1)}#${String(out.length + 1)}`,
      operator,
      line: line + 1,
      column: character + 1,
      original: text.slice(start, end),
      replacement,
      start,
      end,
      reach,
    });
  };
  const condition = (expression: ts.Expression): void => {
    if (expression.kind === ts.SyntaxKind.TrueKeyword || expression.kind === ts.SyntaxKind.FalseKeyword) return;
    add('condition-true', expression.getStart(), expression.getEnd(), 'true');
    add('condition-false', expression.getStart(), expression.getEnd(), 'false');
  };

  const visit = (node: ts.Node): void => {
    if (skipped(node)) return;
    if (ts.isBinaryExpression(node)) {
      for (const swap of OPERATOR_SWAPS[node.operatorToken.kind] ?? []) add(`operator ${node.operatorToken.getText()}→${swap}`, node.operatorToken.getStart(), node.operatorToken.getEnd(), swap, node.getStart());
    } else if (ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)) {
      condition(node.expression);
    } else if (ts.isConditionalExpression(node)) {
      condition(node.condition);
    } else if (ts.isPrefixUnaryExpression(node)) {
      if (node.operator === ts.SyntaxKind.ExclamationToken) add('negation-removed', node.getStart(), node.operand.getStart(), '');
      if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) {
        add('update-swapped', node.getStart(), node.operand.getStart(), node.operator === ts.SyntaxKind.PlusPlusToken ? '--' : '++');
      }
    } else if (ts.isPostfixUnaryExpression(node)) {
      add('update-swapped', node.operand.getEnd(), node.getEnd(), node.operator === ts.SyntaxKind.PlusPlusToken ? '--' : '++');
    } else if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
      if (!isConditionOf(node)) add('boolean-flipped', node.getStart(), node.getEnd(), node.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true');
    } else if (ts.isExpressionStatement(node)) {
      add('statement-removed', node.getStart(), node.getEnd(), '{}');
    } else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && node.text !== '' && !isPropertyName(node) && !isReadOnlyByPeople(node)) {
      add('string-emptied', node.getStart(), node.getEnd(), "''");
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      if (METHOD_DROPS.has(name)) add(`call-dropped .${name}()`, node.expression.expression.getEnd(), node.getEnd(), '');
      // An own entry only: `toString`, `constructor` are on every object's prototype.
      const twin = Object.hasOwn(METHOD_SWAPS, name) ? METHOD_SWAPS[name] : undefined;
      if (twin !== undefined) add(`call-swapped .${name}→.${twin}`, node.expression.name.getStart(), node.expression.name.getEnd(), twin);
    } else if (ts.isElementAccessExpression(node) && ts.isNumericLiteral(node.argumentExpression) && node.argumentExpression.text === '0') {
      add('index-from-end [0]→.at(-1)', node.expression.getEnd(), node.getEnd(), '.at(-1)');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Nodes whose mutants the runtime would never see or that only break loading. */
function skipped(node: ts.Node): boolean {
  return (
    ts.isImportDeclaration(node) ||
    ts.isExportDeclaration(node) ||
    ts.isImportEqualsDeclaration(node) ||
    ts.isTypeNode(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isTypeParameterDeclaration(node) ||
    ts.isLiteralTypeNode(node) ||
    (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
  );
}

/** pino's level methods: `log.warn({…}, 'text')`, `this.#log.info(…)`. */
const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
/** The built-in errors, whose message only a person reads (a caller that branches on an error tests its class). */
const BUILT_IN_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError']);
/** Option properties that hold a message for a person: zod's `{ error: '…' }`, an issue's `{ message: '…' }`. */
const MESSAGE_PROPERTIES = new Set(['error', 'message']);

/**
 * A string inside the arguments of a log call or of a built-in error's constructor, or the
 * value of an `error`/`message` option: emptying it changes what a person reads, never what
 * the program does, so its mutant is equivalent by class (docs/mutation.md). Strings a program
 * or a client branches on (a refusal's reason, a claim's name, a custom error's field) are
 * still mutated.
 */
function isReadOnlyByPeople(node: ts.Node): boolean {
  for (let at: ts.Node = node; !ts.isSourceFile(at) && !ts.isFunctionLike(at); at = at.parent) {
    const parent = at.parent;
    if (ts.isCallExpression(parent) && parent.arguments.some((a) => a === at) && ts.isPropertyAccessExpression(parent.expression) && LOG_LEVELS.has(parent.expression.name.text)) return true;
    if (ts.isNewExpression(parent) && parent.arguments?.some((a) => a === at) === true && ts.isIdentifier(parent.expression) && BUILT_IN_ERRORS.has(parent.expression.text)) return true;
    if (ts.isPropertyAssignment(parent) && parent.initializer === at && ts.isIdentifier(parent.name) && MESSAGE_PROPERTIES.has(parent.name.text)) return true;
  }
  return false;
}

function isPropertyName(node: ts.Node): boolean {
  const parent = node.parent;
  return (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === node;
}

/** `while (true)`, `if (false)`: already covered by the condition mutants, or a loop that must not spin. */
function isConditionOf(node: ts.Node): boolean {
  const parent = node.parent;
  return (ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) && parent.expression === node;
}

/** `text` with `mutant` applied. */
export function applyMutant(text: string, mutant: Mutant): string {
  if (text.slice(mutant.start, mutant.end) !== mutant.original) throw new Error(`mutant ${mutant.id} no longer matches its file: expected ${JSON.stringify(mutant.original)} at ${String(mutant.start)}; regenerate the mutants`);
  return text.slice(0, mutant.start) + mutant.replacement + text.slice(mutant.end);
}

/** The `[start, end)` spans of the functions and methods named `names` (`#private` methods by their `#name`). */
export function functionSpans(fileName: string, text: string, names: readonly string[]): { readonly start: number; readonly end: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2024, true, ts.ScriptKind.TS);
  const wanted = new Set(names);
  const spans: { start: number; end: number }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name !== undefined && wanted.has(node.name.getText())) {
      spans.push({ start: node.getStart(), end: node.getEnd() });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const missing = names.filter((name) => !spans.some((span) => text.slice(span.start, span.end).includes(name)));
  if (missing.length > 0) throw new Error(`${fileName} has no function or method ${missing.join(', ')}; update test/mutation/mutation-targets.ts`);
  return spans;
}
