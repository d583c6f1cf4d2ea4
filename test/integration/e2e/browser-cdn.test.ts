/**
 * A person's browser at stage 3: headless Chromium opens the explorer page through the LB (HTTPS),
 * signs up and uploads an image, as someone would with the mouse. The page's stylesheet and
 * script and the upload's thumbnail come from the CDN edge; they must load — no request blocked as
 * mixed content (an HTTPS page may not load scripts over plain HTTP, and Chromium upgrades plain
 * images to HTTPS), the script runs, and the thumbnail decodes (naturalWidth > 0).
 *
 * Its own stack of stage 3 (CDN=on from there), with one web server and no API pools: the pools'
 * sizes play no part in what a browser loads, and a smaller stack starts sooner on two cores.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBrowser } from '../../support/browser.ts';
import { image } from '../../support/images.ts';
import { startOwnStack } from '../../support/own-stack.ts';
import { serviceOf } from '../../support/stack.ts';

test('stage 3 in a browser: the page’s scripts, styles and images from the CDN load over HTTPS', async (t) => {
  const stack = await startOwnStack(t, {
    STAGE: '3',
    WEB_REPLICAS: '1',
    READ_API_REPLICAS: '0',
    WRITE_API_REPLICAS: '0',
  });
  assert.equal(stack.info.flags.CDN, 'on', 'stage 3 runs the CDN');
  const cdn = serviceOf(stack.info, 'cdn');
  const edgeHost = `${cdn.host}:${cdn.ports.http}`;

  const context = await startBrowser(t);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const failed: string[] = [];
  const fromEdge = new Map<string, number>();
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /mixed content/i.test(m.text())) consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (new URL(r.url()).host === edgeHost) fromEdge.set(new URL(r.url()).pathname, r.status());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  const report = () =>
    `console: ${consoleErrors.join(' | ')}; failed: ${failed.join(' | ')}; dialogs: ${dialogs.join(' | ')}`;
  /** A wait that times out says what the browser saw. */
  const step = async <T>(what: string, wait: Promise<T>): Promise<T> => {
    try {
      return await wait;
    } catch (error) {
      throw new Error(`${what}: ${(error as Error).message.split('\n')[0]}; ${report()}`);
    }
  };

  const entry = stack.info.entry ?? '';
  assert.equal((await page.goto(entry, { waitUntil: 'load' }))?.status(), 200);
  // The script ran: it logs each API call it makes in the traffic table.
  await step('the page’s script ran', page.waitForSelector('#log tr'));
  const user = `browser_${Date.now().toString(36)}`;
  await page.fill('#account input[name=username]', user);
  await page.fill('#account input[name=password]', 'browser-pass-1');
  await page.click('#account button[data-action=signup]');
  // In-page code as strings: the project's TypeScript has no DOM types.
  await step(
    'signed up and logged in',
    page.waitForFunction(
      `document.querySelector('#me')?.textContent?.includes('logged in as ${user}')`,
    ),
  );
  await page.setInputFiles('#upload input[name=file]', {
    name: 'photo.png',
    mimeType: 'image/png',
    buffer: await image('png', 320, 240),
  });
  await page.click('#upload button[type=submit]');
  await step('the thumbnail is shown', page.waitForSelector('#media img.thumb'));
  await step(
    'the thumbnail loaded',
    page.waitForFunction(`document.querySelector('#media img.thumb').complete`),
  );
  const { src, width } = await page.evaluate<{ src: string; width: number }>(
    `(() => { const img = document.querySelector('#media img.thumb');
      return { src: img.src, width: img.naturalWidth }; })()`,
  );
  const styled = await page.evaluate<string[]>(
    `[...document.querySelectorAll('link[rel=stylesheet], script[src]')].map((e) => e.href || e.src)`,
  );

  assert.deepEqual(
    consoleErrors.filter((m) => /mixed content/i.test(m)),
    [],
    'no mixed content',
  );
  assert.deepEqual(failed, [], report());
  assert.deepEqual(dialogs, [], report());
  assert.ok(src.startsWith(`https://${edgeHost}/files/media/`), `thumbnail from the edge: ${src}`);
  assert.ok(width > 0, `the thumbnail decoded (naturalWidth ${width}): ${report()}`);
  assert.equal(styled.length, 2, styled.join());
  for (const asset of styled) {
    assert.ok(asset.startsWith(`https://${edgeHost}/files/static/`), asset);
    assert.equal(fromEdge.get(new URL(asset).pathname), 200, `${asset} loaded: ${report()}`);
  }
  assert.equal(fromEdge.get(new URL(src).pathname), 200, report());
});
