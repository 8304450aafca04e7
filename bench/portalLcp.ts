/**
 * How soon a customer on a slow phone can use the portal: the signed-out start page (its sign-in
 * form usable) and the signed-in dashboard (the customer's own data shown), with Largest
 * Contentful Paint, on the throttled profile of a mid-range phone on a poor link: 1.6 Mbps down,
 * 750 kbps up, 150 ms round trip, CPU slowed 4×, 390×844.
 *
 * Compares this build of the portal with another one (`--before <dir>`: a portal build directory,
 * e.g. one built from an older commit) on the same stack, in interleaved rounds, and prints the
 * medians, spread and the after/before ratio. Without `--before` it prints this build's figures.
 *
 *   npm run build -w @wisp/portal && npm run bench:portal-lcp [-- --before /path/to/portal/build --rounds 5]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../portal/tests/browser.ts';
import { startPortal } from '../scripts/stack.ts';
import { runBench, startBenchStack } from './lib/benchStack.ts';
import { arg, machineLine, median, QUICK, rotated, spread } from './lib/stats.ts';

const ROUNDS = Number(arg('rounds', QUICK ? '2' : '5'));
const BEFORE = arg('before', '');
const PROFILE = { latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (750e3 / 8) | 0, cpu: 4 };

interface Variant {
  name: string;
  origin: string;
  form: number[];
  formLcp: number[];
  dashboard: number[];
  dashboardLcp: number[];
}

async function throttle(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: PROFILE.latency, downloadThroughput: PROFILE.downloadThroughput, uploadThroughput: PROFILE.uploadThroughput });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PROFILE.cpu });
  return cdp;
}

/** LCP so far, read from the page's own performance timeline. */
const lcpOf = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let last = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) last = Math.max(last, e.startTime);
        }).observe({ type: 'largest-contentful-paint' as never, buffered: true });
        setTimeout(() => resolve(last), 500);
      }),
  );

/** From navigation start until `ready` holds, measured by the page's own clock. */
async function timeTo(page: Page, url: string, ready: string) {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(ready, { state: 'visible', timeout: 60_000 });
  const at = await page.evaluate(() => performance.now());
  await page.waitForLoadState('load');
  return { at, lcp: await lcpOf(page) };
}

async function measure(browser: Browser, v: Variant) {
  // Signed out: the sign-in form, ready to take an email and password.
  {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await throttle(context, page);
    const r = await timeTo(page, `${v.origin}/`, 'form input[name="email"]:not([disabled]) >> xpath=ancestor::form//button[@type="submit" and not(@disabled)]');
    v.form.push(r.at);
    v.formLcp.push(r.lcp);
    await context.close();
  }
  // Signed in (unthrottled), then the dashboard loaded afresh on the slow profile.
  {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${v.origin}/`);
    await page.fill('input[name="email"]', 'alice@skyline.example');
    await page.fill('input[name="password"]', 'demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('[data-testid=customer-name]', { timeout: 60_000 });
    // Whatever sign-in kept in the browser is kept; only the network and the CPU slow down.
    await page.goto('about:blank');
    await throttle(context, page);
    const r = await timeTo(page, `${v.origin}/`, '[data-testid=customer-name]');
    v.dashboard.push(r.at);
    v.dashboardLcp.push(r.lcp);
    await context.close();
  }
}

runBench(async () => {
  console.log(machineLine('start'));
  const stack = await startBenchStack();
  const dir = mkdtempSync(join(tmpdir(), 'wisp-lcp-'));
  const start = (name: string, entry?: string) =>
    startPortal({ gatewayUrl: stack.services.gatewayUrl, emulatorHost: stack.infra.emulatorHost, projectId: stack.infra.projectId, logFile: join(dir, `${name}.log`), entry });
  const portals = [{ name: 'this build', child: await start('after') }];
  if (BEFORE) portals.push({ name: 'before', child: await start('before', join(BEFORE, 'index.js')) });
  const variants: Variant[] = portals.map((p) => ({ name: p.name, origin: `http://skyline.localhost:${p.child.port}`, form: [], formLcp: [], dashboard: [], dashboardLcp: [] }));
  const browser = await launchChromium();
  try {
    // One warm-up pass each (first compiles, caches of the servers), not counted.
    for (const v of variants) await measure(browser, { ...v, form: [], formLcp: [], dashboard: [], dashboardLcp: [] });
    for (let round = 0; round < ROUNDS; round++) for (const v of rotated(variants, round)) await measure(browser, v);
  } finally {
    await browser.close();
    for (const p of portals) await p.child.stop();
    await stack.stop();
  }
  const ms = (xs: number[]) => `${spread(xs.map((x) => x / 1000))} s`;
  console.log(`\nThrottled phone: ${PROFILE.downloadThroughput * 8 / 1e6} Mbps down, ${PROFILE.latency} ms RTT, CPU ${PROFILE.cpu}× slower, 390×844; ${ROUNDS} interleaved rounds, medians`);
  for (const v of variants) {
    console.log(`  ${v.name.padEnd(11)} sign-in form usable ${ms(v.form)} · LCP ${ms(v.formLcp)}`);
    console.log(`  ${''.padEnd(11)} dashboard shown     ${ms(v.dashboard)} · LCP ${ms(v.dashboardLcp)}`);
  }
  if (variants.length === 2) {
    const [a, b] = variants as [Variant, Variant];
    const r = (x: number[], y: number[]) => (median(x) / median(y)).toFixed(2);
    console.log(`  after/before: sign-in form ${r(a.form, b.form)}× (LCP ${r(a.formLcp, b.formLcp)}×), dashboard ${r(a.dashboard, b.dashboard)}× (LCP ${r(a.dashboardLcp, b.dashboardLcp)}×)`);
  }
  console.log(machineLine('end'));
});
