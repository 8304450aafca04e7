import { chromium, type Browser } from 'playwright-core';

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
