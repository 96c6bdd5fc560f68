import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stableLogUrl } from '../../site/lookup/stable-log-url.ts';
import { buildSite } from '../../site/build/build-site.ts';
import { launchChromium } from './launch-chromium.ts';
import { serveArchive, serveSite, type StaticSite } from './serve-site.ts';

const B = 'ports-10.15_x86_64-builder';
const A = 'ports-15_arm64-builder';
let site: StaticSite;
let archive: StaticSite;
let browser: Browser;
// What before() opened, closed by after() newest first: every one is closed even when another's
// close throws or before() failed half-way (no Chromium): a server left open would hang the file.
const opened = new AsyncDisposableStack();

function entry(builder: string, number: number, port: string, result: string, finishedAt: string, root: string): object {
  return {
    builder,
    number,
    port,
    platform: builder.split('-')[1],
    result,
    finishedAt,
    url: `${root}/`,
    steps: [
      { name: 'install-dependencies', logs: [{ name: 'stdio', url: `${root}/install-dependencies/stdio.txt` }] },
      { name: 'install-port', logs: [{ name: 'stdio', url: `${root}/install-port/stdio.txt` }, { name: 'files', url: `${root}/install-port/files.txt` }] },
    ],
  };
}

before(async () => {
  archive = opened.adopt(await serveArchive(), (a) => a.close());
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-site-browser-'));
  opened.defer(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const ledger = join(dir, 'ledger.ndjson');
  const lines = [
    entry(B, 32501, 'curl', 'failure', '2026-08-17T20:00:00Z', `${B}/32501`),
    entry(B, 32502, 'wget', 'success', '2026-08-17T20:30:00Z', `${B}/32502`),
    entry(A, 120, 'curl', 'success', '2026-08-17T20:40:00Z', `${archive.url}/absolute/${A}/120`),
    entry(B, 32503, 'curl', 'success', '2026-08-17T21:12:36Z', `${B}/32503`),
    entry(A, 121, 'zstd', 'cancelled', '2026-08-17T21:20:00Z', `${A}/121`),
    // A build the controller recorded: its page in the log archive names its build id.
    {
      builder: 'ports-15_arm64-builder',
      number: 7,
      result: 'success',
      url: `${archive.url}/portfarm/b-77/index.html`,
      steps: [{ name: 'install-port', logs: [{ name: 'stdio', url: `${archive.url}/portfarm/b-77/stdio.txt` }] }],
    },
  ];
  writeFileSync(ledger, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  await buildSite({
    ledgerPath: ledger,
    outDir: join(dir, 'site'),
    baseUrl: 'https://build.macports.org',
    logArchiveUrl: `${archive.url}/portfarm/`,
    // Only each builder's newest builds get JSON files: the others' JSON is the router page's.
    jsonWindowDays: 0,
    onTornLine: () => assert.fail('no torn line expected'),
    onUnsafeUrl: (bad) => assert.fail(bad.problem),
  });
  site = opened.adopt(await serveSite(join(dir, 'site')), (s) => s.close());
  browser = opened.adopt(await launchChromium(), (b) => b.close());
});

after(() => opened.disposeAsync());

async function open(path: string, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${site.url}${path}`);
  return page;
}

test('every legacy shape lands on the archived log or build page, query and fragment kept', async () => {
  const log = `${archive.url}/portfarm/${B}/32503/install-port`;
  const cases: [string, string][] = [
    [`/builders/${B}/builds/32503`, `${archive.url}/portfarm/${B}/32503/`],
    [`/builders/${B}/builds/32503/`, `${archive.url}/portfarm/${B}/32503/`],
    [`/builders/${B}/builds/32503/steps/install-port/logs/stdio`, `${log}/stdio.txt`],
    [`/builders/${B}/builds/32503/steps/install-port/logs/stdio/text`, `${log}/stdio.txt`],
    [`/builders/${B}/builds/32503/steps/install-port/logs/files/text?x=1#L20`, `${log}/files.txt?x=1#L20`],
    [`/BUILDERS/PORTS-10.15_X86_64-BUILDER/builds/32503/steps/INSTALL-PORT/logs/STDIO/`, `${log}/stdio.txt`],
    [`/builders/${B}/builds/-1/steps/install-port/logs/stdio#L5`, `${log}/stdio.txt#L5`],
    [`/builders/${A}/builds/120/steps/install-port/logs/stdio`, `${archive.url}/absolute/${A}/120/install-port/stdio.txt`],
    [`/builders/${A}/builds/-1?from=ticket#top`, `${archive.url}/portfarm/${A}/121/?from=ticket#top`],
    // The link the action prints in the job summary while the build runs (stableLogUrl), by build id.
    [new URL(stableLogUrl('https://build.macports.org', 'b-77', 'install-port')).pathname + '?x=1#L3', `${archive.url}/portfarm/b-77/stdio.txt?x=1#L3`],
    ['/builds/b-77', `${archive.url}/portfarm/b-77/index.html`],
  ];
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const [path, expected] of cases) {
    // Wait for the final address only: the router page in between need not finish loading.
    await page.goto(`${site.url}${path}`, { waitUntil: 'commit' });
    await page.waitForURL(expected, { waitUntil: 'domcontentloaded' });
    assert.equal(page.url(), expected, path);
    assert.equal(await page.textContent('body'), `archived ${new URL(expected).pathname}\n`, path);
  }
  await context.close();
});

test('the JSON form of a build outside the JSON window answers with the build as JSON, in buildbot 0.8\'s shape', async () => {
  const page = await open(`/json/builders/${B}/builds/32502`);
  await page.waitForSelector('body[data-state=ready]');
  const root = `${archive.url}/portfarm/${B}/32502`;
  const finished = Date.parse('2026-08-17T20:30:00Z') / 1000;
  assert.deepEqual(JSON.parse((await page.textContent('#json')) ?? ''), {
    builderName: B,
    number: 32502,
    results: 0,
    text: ['build', 'successful'],
    // Recorded before builds had a start time: it starts when it finished.
    times: [finished, finished],
    properties: [
      ['buildername', B, 'Builder'],
      ['buildnumber', 32502, 'Build'],
      ['portname', 'wget', 'Trigger'],
      ['platform', '10.15_x86_64', 'portfarm'],
      // No watcher recorded: the platform's latest watcher build, an address the site answers.
      ['triggered_by', 'https://build.macports.org/builders/ports-10.15_x86_64-watcher/builds/-1', 'Trigger'],
    ],
    steps: [
      { name: 'install-dependencies', logs: [['stdio', `${root}/install-dependencies/stdio.txt`]] },
      { name: 'install-port', logs: [['stdio', `${root}/install-port/stdio.txt`], ['files', `${root}/install-port/files.txt`]] },
    ],
    url: `${root}/`,
  });
  assert.equal(await page.title(), `${B} build 32502 (JSON)`);
  await page.context().close();
});

test('the newest build\'s JSON is a real file: a program gets it with status 200 without running the page', async () => {
  const response = await fetch(`${site.url}/json/builders/${B}/builds/-1`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { number: number; text: string[] };
  assert.deepEqual([body.number, body.text], [32503, ['build', 'successful']]);
});

test('an unknown build says what was asked, offers the nearest builds and a port search', async () => {
  const page = await open(`/builders/${B}/builds/32600/steps/install-port/logs/stdio`);
  await page.waitForSelector('body[data-state=ready]');
  assert.equal(await page.textContent('h1'), 'Not on this site');
  assert.equal(await page.textContent('#asked'), `You asked for /builders/${B}/builds/32600/steps/install-port/logs/stdio`);
  assert.equal(await page.textContent('#reason'), `Not found: ${B} has no build 32600 on this site (it has 3 builds, numbered 32501 to 32503).`);
  assert.deepEqual(await page.locator('#nearest li').allTextContents(), [`${B} #32501 (curl, failure)`, `${B} #32502 (wget, success)`, `${B} #32503 (curl, success)`]);
  await page.click(`text=${B} #32502 (wget, success)`);
  await page.waitForURL(`${archive.url}/portfarm/${B}/32502/`);

  await page.goto(`${site.url}/builders/buildports-mtln-x86_64/builds/77`);
  await page.waitForSelector('body[data-state=ready]');
  assert.equal(await page.textContent('#reason'), 'Not found: there is no builder buildports-mtln-x86_64 on this site.');
  assert.deepEqual(await page.locator('#builders li').allTextContents(), [B, A]);
  await page.fill('#port', 'zstd');
  await page.press('#port', 'Enter');
  await page.waitForURL(`${site.url}/ports/zstd/`);
  await page.waitForSelector('body[data-state=ready]');
  assert.equal(await page.textContent('h1'), 'zstd');
  await page.context().close();
});

test('the port page shows the latest result per platform and the recent builds', async () => {
  const page = await open('/ports/curl/');
  await page.waitForSelector('body[data-state=ready]');
  assert.equal(await page.title(), 'curl — MacPorts builds');
  const rows = async (id: string): Promise<string[]> => page.locator(`#${id} tr`).evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.replaceAll('\t', ' | ')));
  assert.deepEqual(await rows('latest'), [
    'platform | result | build | finished',
    `10.15_x86_64 | success | ${B} #32503 | 2026-08-17T21:12:36Z`,
    `15_arm64 | success | ${A} #120 | 2026-08-17T20:40:00Z`,
  ]);
  assert.deepEqual(await rows('recent'), [
    'platform | result | build | finished',
    `10.15_x86_64 | success | ${B} #32503 | 2026-08-17T21:12:36Z`,
    `15_arm64 | success | ${A} #120 | 2026-08-17T20:40:00Z`,
    `10.15_x86_64 | failure | ${B} #32501 | 2026-08-17T20:00:00Z`,
  ]);
  await page.click(`text=${B} #32501`);
  await page.waitForURL(`${archive.url}/portfarm/${B}/32501/`);
  await page.goto(`${site.url}/ports/nosuchport/`);
  await page.waitForSelector('body[data-state=ready]');
  assert.equal(await page.textContent('#reason'), 'Not found: no builds of port nosuchport are recorded on this site.');
  assert.equal(await page.inputValue('#port'), 'nosuchport');
  await page.context().close();
});

test('with JavaScript off: -1 goes to the latest build by meta refresh, and any build page is three clicks from the builder list', async () => {
  const page = await open(`/builders/${A}/builds/-1/`, { javaScriptEnabled: false });
  await page.waitForURL(`${archive.url}/portfarm/${A}/121/`);

  await page.goto(`${site.url}/builders/${B}/builds/32502/steps/install-port/logs/stdio`);
  assert.equal(
    await page.locator('main').innerText(),
    'This address is looked up by a script, and JavaScript is off. Every build is listed, with links to its logs, under the builders.',
  );
  // Playwright's text= engine skips <noscript>; the link is found by its address instead.
  assert.equal(await page.locator('main noscript a').getAttribute('href'), '/builders/');
  await page.click('main noscript a');
  await page.waitForURL(`${site.url}/builders/`);
  await page.click(`text=${B}`);
  await page.waitForURL(`${site.url}/builders/${B}/`);
  assert.equal(await page.textContent('#latest'), 'Latest: build 32503 of curl (success)');
  await page.click('text=builds 32000–32999');
  await page.waitForURL(`${site.url}/builders/${B}/range/32/`);
  assert.deepEqual(await page.locator('#builds tr').allInnerTexts(), ['build\tport\tresult', '32501\tcurl\tfailure', '32502\twget\tsuccess', '32503\tcurl\tsuccess']);
  await page.click('#b32502 a');
  await page.waitForURL(`${archive.url}/portfarm/${B}/32502/`);
  await page.context().close();
});
