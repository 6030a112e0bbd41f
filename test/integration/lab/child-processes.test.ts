/**
 * The lab's child processes die with it (docs/lab.md#processes): DynamoDB Local listens on 127.0.0.1 only,
 * stops when `lab serve` stops (SIGTERM), and halts by itself when its parent is killed outright (SIGKILL,
 * as on a crash). Linux /proc is read to find the JVM and its listening socket.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../../lab/dynamodb-local.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'egress-watch-children-'));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
}

/** The DynamoDB Local JVM among the descendants of `root`. */
function dynamoDbJvmUnder(root: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.includes('DynamoDBLocal')) continue;
    for (let p: number | undefined = parentOf(pid); p && p > 1; p = parentOf(p)) if (p === root) return pid;
  }
  return undefined;
}

/** Local addresses of the TCP sockets listening on `port` (from /proc/net/tcp and tcp6, hex as the kernel writes it). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && fields[1]?.endsWith(`:${hexPort}`))
      .map((fields) => (fields[1] ?? '').split(':')[0] ?? ''),
  );
}

const LOOPBACK = new Set(['0100007F', '0000000000000000FFFF00000100007F', '00000000000000000000000001000000']);

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  });
}

describe('lab child processes', () => {
  it('DynamoDB Local listens on loopback only and halts when its parent is killed (SIGKILL)', async () => {
    const script = join(scratch, 'hold-dynamodb-local.mts');
    writeFileSync(
      script,
      `import { startDynamoDbLocal } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'lab', 'dynamodb-local.ts')).href)};\n` +
        'const ddb = await startDynamoDbLocal();\n' +
        'console.log(JSON.stringify({ pid: ddb.pid, port: ddb.port, loopbackOnly: ddb.loopbackOnly }));\n' +
        'setInterval(() => {}, 1000);\n',
    );
    const holder = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(holder);
    const line = await waitForLine(holder, /\{"pid".*\}/, 90_000);
    const { pid, port, loopbackOnly } = JSON.parse(line) as { pid: number; port: number; loopbackOnly: boolean };

    expect(loopbackOnly).toBe(true);
    const addresses = listeners(port);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(LOOPBACK.has(address), `listening on ${address}`).toBe(true);

    holder.kill('SIGKILL');
    await waitFor(() => !alive(pid), 20_000, `JVM ${pid} to exit after its parent was killed`);
  });

  it('lab serve stops its DynamoDB Local when it stops (SIGTERM)', async () => {
    const port = await freeLoopbackPort();
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
    delete env.EGRESS_WATCH_DYNAMODB_ENDPOINT; // the lab starts its own DynamoDB Local
    const lab = spawn(
      process.execPath,
      [join(repoRoot, 'bin', 'egress-watch.js'), 'lab', 'serve', '--port', String(port)],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.push(lab);
    await waitForLine(lab, /^ready$/m, 120_000);
    const jvm = dynamoDbJvmUnder(lab.pid ?? -1);
    expect(jvm, 'the DynamoDB Local JVM under lab serve').toBeDefined();

    const exited = new Promise<number | null>((resolve) => lab.once('exit', (code) => resolve(code)));
    lab.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(() => !alive(jvm as number), 20_000, `JVM ${jvm} to exit with lab serve`);
  });
});
