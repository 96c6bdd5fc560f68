// @ts-check
// Plain JavaScript, so that any Node.js can parse it: the bin asks it before it loads a single
// TypeScript file, which a Node.js older than 24.11 dies on with ERR_UNKNOWN_FILE_EXTENSION.
import { join } from 'node:path';

/** The oldest Node.js that runs portfarm (TypeScript without flags); package.json's engines says the same. */
export const MINIMUM_NODE = '24.11';

/**
 * Why this Node.js cannot run portfarm and how to run it instead, or undefined when it can. The
 * fix names the runtime the install pins (the `node` devDependency, node_modules/node/bin/node),
 * which a service unit started with the system's Node.js must call by its path.
 * @param {{ version: string, execPath: string, root: string, args: readonly string[], exists: (path: string) => boolean }} runtime
 * @returns {string | undefined}
 */
export function nodeVersionProblem({ version, execPath, root, args, exists }) {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [minMajor = 0, minMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined;
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
  const rest = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
  const command = (/** @type {string} */ prefix) => (rest === '' ? prefix : `${prefix} ${rest}`);
  const lines = [
    `portfarm: Node.js ${version} (${execPath}) cannot run portfarm: it needs Node.js ${MINIMUM_NODE} or newer, which runs its TypeScript sources directly.`,
    'Run it with the Node.js its install pins:',
    `  cd ${root} && ${command('npx portfarm')}`,
    'or by path (a service unit\'s ExecStart, a cron line):',
    `  ${command(`${pinned} ${join(root, 'controller', 'cli', 'portfarm.js')}`)}`,
  ];
  if (!exists(pinned)) lines.push(`${pinned} is not there yet: run \`npm ci\` in ${root} first.`);
  return `${lines.join('\n')}\n`;
}
