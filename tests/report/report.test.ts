import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import packagedChromium from '@sparticuz/chromium';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunReportData, writeRunReport } from '../../report/index.ts';
import { recordRun } from './record-run.ts';

const outputDir = 'test-output';
const deadlineMinutes = 50;

function updateIdOf(output: unknown): string {
  if (typeof output !== 'object' || output === null || !('updateId' in output)) return '';
  return typeof output.updateId === 'string' ? output.updateId : '';
}

/** Opens a report in the browser, counting every request that is not the file itself. */
async function openReport(data: RunReportData, name: string): Promise<{ page: Page; requests: string[] }> {
  const file = await writeRunReport(data, `${outputDir}/report-${name}.html`);
  const url = pathToFileURL(file).href;
  const page = await (await browser).newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  await page.goto(url);
  return { page, requests };
}

/**
 * Headless Chromium from the npm package @sparticuz/chromium (`npm ci` brings it; it unpacks itself
 * to the temp directory), or the browser at CHROMIUM_PATH when one is configured.
 */
async function launchChromium(): Promise<Browser> {
  await mkdir(outputDir, { recursive: true });
  const configured = process.env.CHROMIUM_PATH;
  if (configured && !existsSync(configured)) {
    throw new Error(
      `CHROMIUM_PATH is ${configured}, which does not exist; unset it to use the npm Chromium.`,
    );
  }
  const executablePath = configured ?? (await packagedChromium.executablePath());
  return chromium.launch({
    executablePath,
    args: [
      // Its Lambda-minded --single-process ends the browser with its first page.
      ...(configured
        ? ['--headless', '--no-sandbox', '--disable-gpu']
        : packagedChromium.args.filter((arg) => arg !== '--single-process')),
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

let browser: Promise<Browser>;
let seed: RunReportData;
let failed: RunReportData;

beforeAll(async () => {
  // Both runs first: the browser must not start while LocalAws fakes the clock.
  seed = await recordRun({ deadlineMinutes });
  failed = await recordRun({ fault: 'pdb-blocked', deadlineMinutes });
  browser = launchChromium();
  // Each test awaits the browser and fails with the launch error itself (a failing hook would skip them).
  browser.catch(() => undefined);
}, 60_000);

afterAll(async () => {
  const launched = await browser?.catch(() => undefined);
  await launched?.close();
});

describe('run report in a browser', () => {
  it('shows a successful seed upgrade: outcome, a timeline bar per update, the plan', async () => {
    const { page, requests } = await openReport(seed, 'seed');
    try {
      const outcome = page.getByTestId('outcome');
      expect(await outcome.isVisible()).toBe(true);
      expect(await page.getByTestId('run-status').textContent()).toBe('SUCCEEDED');
      expect(await outcome.getByRole('heading', { name: 'Upgraded 1.18 → 1.19' }).isVisible()).toBe(true);
      expect(await outcome.getByText('Deadline +50m 00s').isVisible()).toBe(true);
      const versions = page.getByRole('table', { name: 'Versions before and after' });
      expect(await versions.getByRole('row', { name: /managednodegroup/ }).textContent()).toContain(
        '1.19.15-20211013',
      );

      // A bar per step the run took (control plane, add-ons, node groups), in order, coloured by outcome.
      const bars = page.getByTestId('timeline-bar');
      expect(await bars.count()).toBe(seed.summary.steps.length);
      for (const [index, step] of seed.summary.steps.entries()) {
        const bar = bars.nth(index);
        expect(await bar.isVisible()).toBe(true);
        expect(await bar.getAttribute('data-status')).toBe('Successful');
        expect(await bar.getByText(step.updateId ?? 'no update', { exact: true }).isVisible()).toBe(true);
      }
      // A tick per drop in old nodes seen at a check: together, every node the run replaced.
      const ticks = await page
        .getByTestId('node-replacement')
        .evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-count'))));
      const replaced = seed.summary.nodegroups.reduce(
        (sum, nodegroup) => sum + nodegroup.instancesReplaced,
        0,
      );
      expect(replaced).toBeGreaterThan(0);
      expect(ticks.reduce((sum, count) => sum + count, 0)).toBe(replaced);
      const updateIds = new Set(seed.summary.steps.flatMap((step) => (step.updateId ? [step.updateId] : [])));
      const checks = seed.tasks.filter(
        (task) => task.state.startsWith('Check') && updateIds.has(updateIdOf(task.output)),
      );
      expect(checks.length).toBeGreaterThan(0);
      expect(await page.getByTestId('status-check').count()).toBe(checks.length);
      expect(await page.getByTestId('deadline').isVisible()).toBe(true);

      const plan = page.getByRole('table', { name: 'Upgrade plan' });
      expect(await plan.isVisible()).toBe(true);
      expect(await plan.getByRole('row', { name: /Control plane/ }).textContent()).toMatch(/1\.18.*1\.19/);
      expect(await plan.getByRole('row', { name: /managednodegroup/ }).textContent()).toContain('3 nodes');

      expect(requests).toEqual([]);
      await page.screenshot({ path: `${outputDir}/report-seed.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('shows a failed run: the EKS error code, what to do, and the failed bar', async () => {
    const { page, requests } = await openReport(failed, 'pdb-blocked');
    try {
      expect(await page.getByTestId('run-status').textContent()).toBe('FAILED');
      const error = page.getByRole('alert');
      expect(await error.isVisible()).toBe(true);
      expect(await error.getByText('PodEvictionFailure', { exact: true }).isVisible()).toBe(true);
      expect(await error.textContent()).toContain('"force": true');

      const failedStep = failed.summary.steps.find((step) => step.status === 'Failed');
      expect(failedStep?.kind).toBe('nodegroup');
      const failedBar = page.locator('[data-testid="timeline-bar"][data-status="Failed"]');
      expect(await failedBar.count()).toBe(1);
      expect(await failedBar.isVisible()).toBe(true);
      expect(await failedBar.getAttribute('data-update-id')).toBe(failedStep?.updateId);
      expect(await failedBar.getByText(/^Failed · /).isVisible()).toBe(true);
      expect(await page.getByTestId('timeline-bar').count()).toBe(failed.summary.steps.length);
      // The budget kept every old node in place.
      expect(await page.getByTestId('node-replacement').count()).toBe(0);

      expect(await page.getByRole('table', { name: 'Upgrade plan' }).isVisible()).toBe(true);
      expect(requests).toEqual([]);
      await page.screenshot({ path: `${outputDir}/report-pdb-blocked.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });
});
