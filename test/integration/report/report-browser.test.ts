// The report page in a real browser: Debian's Chromium (installed by .ci/run) driven headless by
// puppeteer-core. The page is built from a seeded DynamoDB Local table through the report function's own
// path, written to out/report-browser/report.html, opened from the file system with every non-file request
// refused, and checked: each chart is an SVG with marks, nothing logs an error, and a screenshot is saved.

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/app/build-report.js';
import { DynamoDbReportSource } from '../../../shared/aws/dynamodb-report-source.js';
import { DEFAULT_RATES, withMicrovmSecondPrice } from '../../../shared/domain/report.js';
import { renderReportHtml } from '../../../shared/report/html.js';
import { createTestStore } from '../../support/ddb-test-store.js';
import * as f from '../../support/report-fixtures.js';
import { seedReportTable } from '../../support/report-seed.js';

const CHROMIUM = process.env.EGRESS_WATCH_CHROMIUM ?? '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../../out/report-browser/', import.meta.url));

interface ChartCheck {
  id: string;
  svgs: number;
  marks: number;
  width: number;
  height: number;
}

describe('report.html in headless Chromium', () => {
  let browser: Browser;
  let htmlPath: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set EGRESS_WATCH_CHROMIUM`,
      );
    }
    const t = await createTestStore();
    await seedReportTable(t.client, t.tableName, t.store, { withIncidents: false });
    const built = await buildReport(
      {
        source: new DynamoDbReportSource({ client: t.client, tableName: t.tableName }),
        clock: { now: () => new Date(f.UNTIL) },
        renderHtml: renderReportHtml,
      },
      { period: 'weekly', sinceMs: 7 * 86_400_000, rates: withMicrovmSecondPrice(DEFAULT_RATES) },
    );
    mkdirSync(OUT, { recursive: true });
    htmlPath = join(OUT, 'report.html');
    writeFileSync(htmlPath, built.html);
    writeFileSync(join(OUT, 'report.json'), built.json);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in CI containers has no user namespace for the sandbox; the page is our own local file.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every chart with marks, logs no error, loads nothing but the file, and is screenshotted', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const requested: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn')
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${(error as Error).message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      requested.push(request.url());
      if (request.url().startsWith('file://')) void request.continue();
      else void request.abort('blockedbyclient');
    });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });

    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: figure.getAttribute('data-chart') ?? '?',
          svgs: figure.querySelectorAll('svg').length,
          // Vega marks: bars and points are paths, lines a path, labels text, in g.mark-* groups.
          marks: figure.querySelectorAll('g[class*="role-mark"] > path, g[class*="role-mark"] > text').length,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    expect(charts.map((c: ChartCheck) => c.id)).toEqual([
      'availability',
      'canary-cost',
      'availability-over-time',
      'latency',
      'incidents',
    ]);
    for (const chart of charts) {
      expect(chart.svgs, `${chart.id} has its SVG`).toBe(1);
      expect(chart.marks, `${chart.id} has marks`).toBeGreaterThan(0);
      expect(chart.width, `${chart.id} is laid out`).toBeGreaterThan(200);
      expect(chart.height, `${chart.id} is laid out`).toBeGreaterThan(40);
    }
    expect(await page.$$eval('figure.chart.no-data', (n) => n.length)).toBe(0);
    // Two bars with their availability, as the data says.
    expect(
      await page.$$eval('#chart-availability g[class*="role-mark"] > path', (bars) =>
        bars.map((b) => b.getAttribute('aria-label')),
      ),
    ).toEqual([
      'availability: 100%; connector: isolated-egress-connector',
      'availability: 86%; connector: nat-egress-connector',
    ]);
    expect(await page.title()).toContain('egress-watch weekly canary report');
    expect(await page.$eval('.cards', (cards) => cards.textContent ?? '')).toContain('92.9 %');

    const screenshot = join(OUT, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(20_000);

    expect(problems).toEqual([]);
    expect(requested.filter((url) => !url.startsWith('file://'))).toEqual([]);
    await page.close();
  }, 120_000);
});
