import { UserError } from '../errors/user-error.ts';
import { quoteShell as q } from './quote-shell.ts';
import { runnerArch, type RecipeSettings } from './recipe-settings.ts';
import type { RecipeStep } from './recipe-step.ts';

/** Where the recipe leaves marker files the checks and the distfile collector rely on. */
export const RUNNER_VERSION_FILE = '.portfarm-runner-version';
export const DISTFILES_MARKER = '.portfarm-image-distfiles';
export const SUDOERS_FILE = '/etc/sudoers.d/portfarm-runner';
const SRC_DIR = '/var/tmp/portfarm-src';
const RUNNER_TARBALL = '/var/tmp/actions-runner.tar.gz';

/**
 * The base-image recipe as plain data, in the order of seed 000's plan: macOS + Xcode tools
 * (manual), MacPorts in the private tools prefix with git and mpbb, the runner (the buildslave
 * of the seed) with its user and sudo rules, MacPorts in the build prefix, then the cache
 * configuration. Each step is idempotent, so a rerun resumes where a failure stopped.
 */
export function createImageRecipe(settings: RecipeSettings): readonly RecipeStep[] {
  const arch = runnerArch(settings.platform);
  if (arch === null) {
    throw new UserError(
      `platform ${settings.platform} has no GitHub Actions runner build (actions/runner ships osx-arm64 and osx-x64 only); ` +
        'prepare images for *_arm64 or *_x86_64 platforms',
    );
  }
  const tools = settings.toolsPrefix;
  const prefix = settings.prefix;
  const user = settings.runnerUser;
  const home = `/Users/${user}`;
  const runnerDir = `${home}/actions-runner`;
  const tag = `v${settings.macportsVersion}`;
  const tarball = `actions-runner-${arch}-${settings.runnerVersion}.tar.gz`;
  const runnerUrl = `https://github.com/actions/runner/releases/download/v${settings.runnerVersion}/${tarball}`;
  const sudoers = [
    `# portfarm: the runner user runs the build tools as root (mpbb installs into ${prefix}).`,
    `${user} ALL=(root) NOPASSWD:SETENV: ${tools}/bin/mpbb, ${tools}/bin/port, ${prefix}/bin/port`,
  ];
  const mirror = settings.mirrorUrl.endsWith('/') ? settings.mirrorUrl : `${settings.mirrorUrl}/`;
  const archiveSites = [
    '# portfarm: already-built archives from the farm mirror, read-only over HTTP',
    'name portfarm-mirror',
    `urls ${mirror}packages/`,
    'type tbz2',
    `prefix ${prefix}`,
  ];

  return [
    {
      id: 'xcode-tools',
      title: 'Xcode Command Line Tools are installed',
      check: 'xcode-select -p >/dev/null 2>&1 && xcrun --find clang >/dev/null 2>&1',
      apply: null,
      manual: 'install the Xcode Command Line Tools in the VM (README, "Preparing a base image", step 3), then rerun',
    },
    {
      id: 'tools-macports',
      title: `MacPorts ${settings.macportsVersion} in the tools prefix ${tools}`,
      check: `test "$(${tools}/bin/port version 2>/dev/null)" = ${q(`Version: ${settings.macportsVersion}`)}`,
      apply: buildMacPorts(tools, tag, `${SRC_DIR}/tools-base`, [
        `--prefix=${tools}`,
        `--with-applications-dir=${tools}/Applications`,
        '--without-startupitems',
      ]),
      manual: null,
    },
    {
      id: 'tools-git',
      title: `git from MacPorts in ${tools}`,
      check: `test -x ${tools}/bin/git`,
      apply: `${tools}/bin/port -N install git`,
      manual: null,
    },
    {
      id: 'tools-mpbb',
      title: `mpbb in ${tools}`,
      check: `test -x ${tools}/var/mpbb/mpbb && test "$(readlink ${tools}/bin/mpbb)" = ${tools}/var/mpbb/mpbb`,
      apply: [
        `rm -rf ${tools}/var/mpbb`,
        `${tools}/bin/git clone --depth 1 https://github.com/macports/mpbb.git ${tools}/var/mpbb`,
        `ln -sfn ${tools}/var/mpbb/mpbb ${tools}/bin/mpbb`,
      ].join('\n'),
      manual: null,
    },
    {
      id: 'runner-user',
      title: `user ${user} (uid ${settings.runnerUid}) for the Actions runner`,
      check: `test "$(id -u ${user} 2>/dev/null)" = ${settings.runnerUid} && test -d ${home}`,
      apply: [
        `dscl . -create /Users/${user}`,
        `dscl . -create /Users/${user} UserShell /bin/zsh`,
        `dscl . -create /Users/${user} RealName 'GitHub Actions runner'`,
        `dscl . -create /Users/${user} UniqueID ${settings.runnerUid}`,
        `dscl . -create /Users/${user} PrimaryGroupID 20`,
        `dscl . -create /Users/${user} NFSHomeDirectory ${home}`,
        `dscl . -create /Users/${user} IsHidden 1`,
        `createhomedir -c -u ${user}`,
      ].join('\n'),
      manual: null,
    },
    {
      id: 'runner-sudoers',
      title: `sudo rules for ${user} (${SUDOERS_FILE})`,
      check: `printf '%s\\n' ${sudoers.map(q).join(' ')} | cmp -s - ${SUDOERS_FILE}`,
      apply: [
        `printf '%s\\n' ${sudoers.map(q).join(' ')} > ${SUDOERS_FILE}.tmp`,
        `visudo -cf ${SUDOERS_FILE}.tmp`,
        `chmod 0440 ${SUDOERS_FILE}.tmp`,
        `mv -f ${SUDOERS_FILE}.tmp ${SUDOERS_FILE}`,
      ].join('\n'),
      manual: null,
    },
    {
      id: 'actions-runner',
      title: `GitHub Actions runner ${settings.runnerVersion} unpacked in ${runnerDir}, not registered`,
      check: [
        `test -x ${runnerDir}/run.sh`,
        `test "$(cat ${runnerDir}/${RUNNER_VERSION_FILE} 2>/dev/null)" = ${settings.runnerVersion}`,
        `test ! -e ${runnerDir}/.runner`,
        `test ! -e ${runnerDir}/.credentials`,
      ].join(' && '),
      apply: [
        `rm -rf ${runnerDir} ${RUNNER_TARBALL}`,
        `curl -fsSL --retry 3 -o ${RUNNER_TARBALL} ${runnerUrl}`,
        `echo ${q(`${settings.runnerSha256}  ${RUNNER_TARBALL}`)} | shasum -a 256 -c -`,
        `mkdir -p ${runnerDir}`,
        `tar -xzf ${RUNNER_TARBALL} -C ${runnerDir}`,
        `printf '%s\\n' ${settings.runnerVersion} > ${runnerDir}/${RUNNER_VERSION_FILE}`,
        `chown -R ${user}:staff ${runnerDir}`,
        `rm -f ${RUNNER_TARBALL}`,
      ].join('\n'),
      manual: null,
    },
    {
      id: 'macports-prefix',
      title: `MacPorts ${settings.macportsVersion} in the build prefix ${prefix}`,
      check: `test "$(${prefix}/bin/port version 2>/dev/null)" = ${q(`Version: ${settings.macportsVersion}`)}`,
      apply: buildMacPorts(prefix, tag, `${SRC_DIR}/base`, [`--prefix=${prefix}`]),
      manual: null,
    },
    {
      id: 'cache-config',
      title: `archives read from the mirror ${mirror}packages/, new distfiles marked for collection`,
      check: [
        `printf '%s\\n' ${archiveSites.map(q).join(' ')} | cmp -s - ${prefix}/etc/macports/archive_sites.conf`,
        `test -f ${prefix}/var/macports/distfiles/${DISTFILES_MARKER}`,
      ].join(' && '),
      apply: [
        `printf '%s\\n' ${archiveSites.map(q).join(' ')} > ${prefix}/etc/macports/archive_sites.conf`,
        `mkdir -p ${prefix}/var/macports/distfiles`,
        // Distfiles newer than this marker were fetched by a build: the collector takes those.
        `touch ${prefix}/var/macports/distfiles/${DISTFILES_MARKER}`,
      ].join('\n'),
      manual: null,
    },
    {
      id: 'cleanup',
      title: 'no build leftovers in the image',
      check: `test ! -e ${SRC_DIR} && test ! -e ${RUNNER_TARBALL}`,
      apply: `rm -rf ${SRC_DIR} ${RUNNER_TARBALL}`,
      manual: null,
    },
  ];
}

/** MacPorts base from its git tag (git comes with the Xcode tools); a rerun starts from a fresh checkout. */
function buildMacPorts(prefix: string, tag: string, srcDir: string, configureArgs: readonly string[]): string {
  return [
    `rm -rf ${srcDir}`,
    `mkdir -p ${srcDir}`,
    `git clone --depth 1 --branch ${tag} https://github.com/macports/macports-base.git ${srcDir}`,
    `cd ${srcDir}`,
    `./configure ${configureArgs.join(' ')}`,
    'make -j"$(sysctl -n hw.ncpu)"',
    'make install',
    `${prefix}/bin/port -N sync`,
    'cd /',
    `rm -rf ${srcDir}`,
  ].join('\n');
}
