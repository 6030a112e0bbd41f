import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWindowLength } from '../../../cli/report.js';
import { ReportSchema } from '../../../shared/domain/report-schema.js';
import { createTestStore, type TestStore } from '../../support/ddb-test-store.js';
import * as f from '../../support/report-fixtures.js';
import { seedReportTable } from '../../support/report-seed.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(repoRoot, 'bin', 'egress-watch.js');

describe('egress-watch report', () => {
  let t: TestStore;
  let dir: string;
  beforeAll(async () => {
    t = await createTestStore();
    await seedReportTable(t.client, t.tableName, t.store);
    dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = () => ({ ...process.env, EGRESS_WATCH_DYNAMODB_ENDPOINT: t.endpoint, NO_COLOR: '1' });

  it('--json prints exactly the report, and writes report.html and report.json', async () => {
    const out = join(dir, 'week', 'report.html');
    const { stdout } = await run(
      process.execPath,
      [bin, 'report', '--since', '7d', '--until', f.UNTIL, '--table', t.tableName, '--out', out, '--json'],
      { cwd: repoRoot, env: env() },
    );
    const report = ReportSchema.parse(JSON.parse(stdout));
    expect(report).toMatchObject({ period: 'custom', window: { since: f.SINCE, until: f.UNTIL } });
    expect(report.totals).toMatchObject({ canaryRuns: 56, incidentsOpened: 2 });
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
    expect(JSON.parse(readFileSync(join(dir, 'week', 'report.json'), 'utf8'))).toEqual(report);
  });

  it('prints a summary and where the report is', async () => {
    const out = join(dir, 'day.html');
    const { stdout } = await run(process.execPath, [bin, 'report', '--since', '1d', '--until', f.UNTIL, '--out', out], {
      cwd: repoRoot,
      env: { ...env(), EGRESS_WATCH_TABLE: t.tableName },
    });
    expect(stdout).toContain('availability 100 % of 8 runs');
    expect(stdout).toContain('nat-egress-connector');
    expect(stdout).toContain(`report: ${out}`);
    expect(existsSync(out)).toBe(true);
  });

  it('exits 2 with the reason when it has no store to read or a bad --since', async () => {
    const noStore = run(process.execPath, [bin, 'report', '--since', '7d'], {
      cwd: repoRoot,
      env: { ...process.env, EGRESS_WATCH_DYNAMODB_ENDPOINT: '', EGRESS_WATCH_TABLE: '' },
    });
    await expect(noStore).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('EGRESS_WATCH_DYNAMODB_ENDPOINT'),
    });
    const badSince = run(process.execPath, [bin, 'report', '--since', 'a week', '--table', t.tableName], {
      cwd: repoRoot,
      env: env(),
    });
    await expect(badSince).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--since takes a length'),
    });
  });

  it('reads window lengths in days, hours, minutes and seconds', () => {
    expect(parseWindowLength('7d')).toBe(7 * 86_400_000);
    expect(parseWindowLength('1d12h')).toBe(36 * 3_600_000);
    expect(parseWindowLength('90m')).toBe(5_400_000);
    expect(() => parseWindowLength('0d')).toThrow(/longer than 0/);
    expect(() => parseWindowLength('7 days')).toThrow(/7d, 24h/);
  });
});
