/**
 * A real headless browser for end-to-end tests: Debian's Chromium (/usr/bin/chromium, installed by
 * scripts/install-deps.sh; never a downloaded build) driven by playwright-core. The stack's
 * certificate is self-signed, so certificate errors are ignored — mixed-content blocking, which
 * is what these tests look for, is not affected by that. Closed when the test ends.
 */
import type { TestContext } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function startBrowser(t: TestContext): Promise<BrowserContext> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--ignore-certificate-errors',
    ],
    timeout: 30_000,
  });
  t.after(() => browser.close());
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  context.setDefaultTimeout(20_000);
  return context;
}
