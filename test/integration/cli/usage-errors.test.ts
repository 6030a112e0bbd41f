/**
 * Usage mistakes end with exit code 2, a one-line reason and the usage text — never a stack trace
 * (docs/architecture.md#errors). None of these reaches DynamoDB: the command line is checked first.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(repoRoot, 'bin', 'egress-watch.js');

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', EGRESS_WATCH_ALLOWED_ACCOUNTS: '', ...env },
        timeout: 60_000,
      },
      (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
    );
  });
}

const CASES: { name: string; args: string[]; env?: Record<string, string>; reason: RegExp; usage: boolean }[] = [
  { name: 'no command', args: [], reason: /usage:/, usage: true },
  { name: 'unknown command', args: ['frobnicate'], reason: /unknown command "frobnicate"/, usage: true },
  { name: 'replay without a target', args: ['replay'], reason: /replay needs a file or directory/, usage: true },
  {
    name: 'replay, unknown option',
    args: ['replay', 'events', '--bogus'],
    reason: /Unknown option '--bogus'/,
    usage: true,
  },
  {
    name: 'replay, malformed --allow-account',
    args: ['replay', 'events', '--allow-account', '1234'],
    reason: /--allow-account takes a 12-digit AWS account id, got 1234/,
    usage: true,
  },
  {
    name: 'replay, missing target',
    args: ['replay', 'no/such/file.json'],
    reason: /no such file or directory: no\/such\/file.json/,
    usage: true,
  },
  {
    name: 'start, bad --speed',
    args: ['start', '--speed', 'fast'],
    reason: /--speed fast: virtual seconds/,
    usage: true,
  },
  {
    name: 'start, unknown scenario',
    args: ['start', '--scenario', 'nope'],
    reason: /unknown scenario "nope" \(known: .*article/,
    usage: true,
  },
  { name: 'lab, unknown subcommand', args: ['lab', 'stop'], reason: /unknown lab command "stop"/, usage: true },
  {
    name: 'lab serve, bad --port',
    args: ['lab', 'serve', '--port', '70000'],
    reason: /--port 70000: a TCP port/,
    usage: true,
  },
  {
    name: 'malformed environment',
    args: ['replay', 'events'],
    env: { EGRESS_WATCH_ALLOWED_ACCOUNTS: 'not-an-account' },
    reason: /invalid configuration: EGRESS_WATCH_ALLOWED_ACCOUNTS\S* must be 12-digit AWS account ids/,
    usage: false,
  },
];

// Concurrent: each case is a separate CLI process that stops before any I/O.
describe.concurrent('CLI usage errors', () => {
  it.each(CASES)('$name: exit 2, the reason, no stack trace', async ({ args, env, reason, usage }) => {
    const result = await cli(args, env);
    const output = `${result.stderr}${result.stdout}`;
    expect(result.status, output).toBe(2);
    expect(output).toMatch(reason);
    if (usage) expect(result.stderr).toContain('usage:');
    expect(output).not.toMatch(/\n\s+at /);
  });
});
