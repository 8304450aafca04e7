import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, with everything that would reach for the network turned off (this
 * machine's network is closed, and a browser's background traffic only slows tests down).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/**
 * Waits until the page's scripts have hydrated it: before that, a click on a form's button is the
 * browser's own post (a reload), not the enhanced one a test with JavaScript means to check.
 */
export async function scriptsRunning(page: Page): Promise<void> {
  await page.waitForSelector('html[data-scripts=on]', { state: 'attached', timeout: 15_000 });
}

/**
 * The documents the page's main frame loads from now on (a reload or a form's own post is one):
 * shown when a check that the page stayed put fails, to tell what replaced it.
 */
export function documentsLoaded(page: Page): string[] {
  const loaded: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) loaded.push(`${new Date().toISOString()} ${frame.url()}`);
  });
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) loaded.push(`${new Date().toISOString()} ${request.method()} ${request.url()}`);
  });
  return loaded;
}
