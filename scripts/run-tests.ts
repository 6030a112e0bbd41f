/**
 * `npm test`: typecheck, lint, unit tests, integration tests, in that order, every step even after a failure,
 * then one closing line `N passed, N failed` (CI reads it; vitest's own summary is not a format it knows).
 * Test counts come from vitest's JSON report; a failed typecheck or lint counts as one failed check, and so
 * does a vitest run that fails without a failing test (a file that does not load, an unhandled error).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(REPO_ROOT, 'node_modules', '.bin');

interface StepResult {
  name: string;
  passed: number;
  failed: number;
  seconds: number;
  note: string;
}

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults?: { status: string; assertionResults?: { status: string }[] }[];
}

function run(command: string, args: string[]): { ok: boolean; seconds: number } {
  const started = performance.now();
  const child = spawnSync(join(BIN, command), args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (child.error) console.error(`could not run ${command}: ${child.error.message}`);
  return { ok: child.status === 0, seconds: (performance.now() - started) / 1000 };
}

function banner(title: string) {
  console.log(`\n=== ${title} ${'='.repeat(Math.max(3, 100 - title.length))}`);
}

function check(name: string, command: string, args: string[]): StepResult {
  banner(`${name}: ${command} ${args.join(' ')}`);
  const { ok, seconds } = run(command, args);
  return { name, passed: 0, failed: ok ? 0 : 1, seconds, note: ok ? 'ok' : 'FAILED' };
}

function vitest(name: string, configFile: string, reportDir: string): StepResult {
  const reportFile = join(reportDir, `${name}.json`);
  const args = [
    'run',
    '--config',
    configFile,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
  ];
  banner(`${name} tests: vitest ${args.slice(0, 3).join(' ')}`);
  const { ok, seconds } = run('vitest', args);
  if (!existsSync(reportFile)) {
    return { name, passed: 0, failed: 1, seconds, note: 'vitest wrote no report (counted as 1 failed)' };
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as VitestJsonReport;
  // A test file that fails to load has no failed test in it, but it is a failure.
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
  let failed = report.numFailedTests + brokenFiles;
  const notes = brokenFiles > 0 ? [`${brokenFiles} test file(s) failed to run`] : [];
  if (!ok && failed === 0) {
    failed = 1;
    notes.push('vitest failed outside any test (counted as 1 failed)');
  }
  return { name, passed: report.numPassedTests, failed, seconds, note: notes.join('; ') };
}

function main(): number {
  const reportDir = mkdtempSync(join(tmpdir(), 'egress-watch-tests-'));
  try {
    const steps = [
      check('typecheck', 'tsc', ['--noEmit', '-p', '.']),
      check('lint', 'biome', ['check', '.']),
      vitest('unit', 'vitest.config.ts', reportDir),
      vitest('integration', 'vitest.integration.config.ts', reportDir),
    ];
    const passed = steps.reduce((sum, step) => sum + step.passed, 0);
    const failed = steps.reduce((sum, step) => sum + step.failed, 0);
    banner('summary');
    for (const step of steps) {
      const counts =
        step.name === 'typecheck' || step.name === 'lint' ? '' : `${step.passed} passed, ${step.failed} failed`;
      const status = step.failed > 0 ? 'FAIL' : 'ok';
      console.log(
        `${step.name.padEnd(12)} ${status.padEnd(5)} ${counts.padEnd(24)} ${step.seconds.toFixed(1).padStart(6)} s  ${step.note === 'ok' ? '' : step.note}`.trimEnd(),
      );
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

process.exitCode = main();
