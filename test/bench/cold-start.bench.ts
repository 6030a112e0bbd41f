/**
 * Cold start of the Lambda bundles, side by side with bare node in one run (docs/architecture.md#benchmarks: ratios, never a single
 * absolute time). Each sample is a fresh `node --input-type=module -e "await import('<bundle>')"`; rounds
 * alternate the variants so machine noise hits them alike. Prints medians and the bundle/bare ratio, and
 * each child's own CPU time up to the end of its import (what load on a shared machine barely moves), with
 * each function's floor ratio both ways (docs/ingest.md, cold start); asserts nothing. When ingest is over its budget, the metafile says which packages make the bundle heavy.
 *
 *   npm run bench:cold [-- --rounds 15 --warmup 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import {
  type BundleResult,
  buildFunctions,
  kilobytes,
  REPO_ROOT,
  readServerlessEsbuildConfig,
  toEsbuildOptions,
} from '../../scripts/build.js';

const FLOOR_RATIO_TARGET = 1.15;

function numberOption(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const rounds = numberOption('rounds', 15);
const warmup = numberOption('warmup', 3);

// Enough for loadConfig() at import; nothing else from this machine's environment leaks into the children.
const childEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  EGRESS_WATCH_TABLE: 'egress-watch-bench',
  EGRESS_WATCH_ALLOWED_ACCOUNTS: '111122223333',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // Imports touch no network; should one ever try, it stays on loopback and fails at once.
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
};

interface Variant {
  label: string;
  args: string[];
  bundle: BundleResult | null;
  /** Wall-clock ms from spawn to exit. */
  samples: number[];
  /** CPU ms (user + system) the child used up to the end of the import, as it reports it. */
  cpuSamples: number[];
}

/** Printed by every child after its import: its own CPU time so far (ms), which load on the machine barely moves. */
const CPU_PROBE = 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000));';

function importArgs(bundle: BundleResult, extra: string[] = []): string[] {
  return [
    ...extra,
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(pathToFileURL(bundle.outfile).href)}); ${CPU_PROBE}`,
  ];
}

function runOnce(variant: Variant): { wall: number; cpu: number } {
  const started = performance.now();
  const child = spawnSync(process.execPath, variant.args, { env: childEnv, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (child.status !== 0) {
    throw new Error(`${variant.label}: node exited ${child.status ?? child.signal}\n${child.stderr}`);
  }
  return { wall: elapsed, cpu: Number(child.stdout.trim()) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Output bytes per npm package (or local folder), heaviest first. */
function heaviestInputs(bundle: BundleResult, limit: number): { name: string; bytes: number }[] {
  const output = Object.entries(bundle.metafile.outputs).find(([path]) => path.endsWith('.js'))?.[1];
  const totals = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const match = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const name = match?.[1] ?? path.split('/').slice(0, 2).join('/');
    totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...totals.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, limit);
}

/**
 * zod 4 bundles all its error-message locales when a module imports the `z` namespace object by name
 * (`import { z } from 'zod'`); `import * as z from 'zod'` lets esbuild drop them. Names the importers.
 */
function zodLocalesHint(bundle: BundleResult): string | null {
  const output = Object.values(bundle.metafile.outputs).find((o) => o.entryPoint);
  const localeBytes = Object.entries(output?.inputs ?? {})
    .filter(([path]) => path.includes('node_modules/zod/') && path.includes('/locales/'))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  if (localeBytes === 0) return null;
  const importers = Object.entries(bundle.metafile.inputs)
    .filter(([, input]) => input.imports.some((imported) => imported.original === 'zod'))
    .map(([path]) => path.replace(/^(\.\.\/)+/, ''));
  return `zod locales: ${kilobytes(localeBytes)} in the bundle, pulled in by ${importers.join(', ')}`;
}

/** The official SDK clients a bundle contains, each with one command it bundles (from the metafile). */
function sdkClientsOf(bundle: BundleResult): { pkg: string; client: string; command: string }[] {
  const output = Object.values(bundle.metafile.outputs).find((o) => o.entryPoint);
  const clients = new Map<string, { client?: string; command?: string }>();
  for (const path of Object.keys(output?.inputs ?? {})) {
    const match = path.match(/node_modules\/(@aws-sdk\/client-[^/]+)\/dist-es\/(?:(commands)\/)?(\w+)\.js$/);
    if (!match) continue;
    const [, pkg, commands, name] = match as unknown as [string, string, string | undefined, string];
    const entry = clients.get(pkg) ?? {};
    if (commands && name.endsWith('Command')) entry.command ??= name;
    else if (!commands && name.endsWith('Client')) entry.client ??= name;
    clients.set(pkg, entry);
  }
  return [...clients]
    .filter(([, e]) => e.client && e.command)
    .map(([pkg, e]) => ({ pkg, client: e.client as string, command: e.command as string }))
    .sort((a, b) => a.pkg.localeCompare(b.pkg));
}

/**
 * The SDK floor of a function: a handler that creates each of its SDK clients and sends one command, built
 * with serverless.yml's esbuild options. Importing it costs what the official SDK costs for that function.
 */
async function buildFloor(bundle: BundleResult, scratch: string): Promise<BundleResult | null> {
  const clients = sdkClientsOf(bundle);
  if (clients.length === 0) return null;
  const source = [
    ...clients.map(({ pkg, client, command }) => `import { ${client}, ${command} } from '${pkg}';`),
    ...clients.map(({ client }, i) => `const c${i} = new ${client}({});`),
    `export const handler = async (input) => Promise.all([${clients
      .map(({ command }, i) => `c${i}.send(new ${command}(input))`)
      .join(', ')}]);`,
  ].join('\n');
  // The entry lives in the repo so the SDK packages resolve from its node_modules; removed right after.
  const entry = join(REPO_ROOT, `.floor-${bundle.name}-${process.pid}.mjs`);
  await writeFile(entry, source);
  try {
    const options = toEsbuildOptions(await readServerlessEsbuildConfig());
    const outfile = join(scratch, 'floors', `${bundle.name}.js`);
    const result = await build({
      ...options,
      entryPoints: [entry],
      outfile,
      metafile: true,
      logLevel: 'warning',
    });
    return {
      name: `${bundle.name} SDK floor`,
      entry,
      outfile,
      bytes: (await stat(outfile)).size,
      gzipBytes: 0,
      sourceMapBytes: 0,
      metafile: result.metafile as NonNullable<typeof result.metafile>,
    };
  } finally {
    await rm(entry, { force: true });
  }
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
}

async function main() {
  // Bundles go to a scratch folder (removed afterwards): everything is bundled, so they import nothing from the repo.
  const scratch = await mkdtemp(join(tmpdir(), 'egress-watch-cold-start-'));
  try {
    const bundles = await buildFunctions(join(scratch, 'functions'));
    const floors = new Map<string, BundleResult>();
    for (const bundle of bundles) {
      const floor = await buildFloor(bundle, scratch);
      if (floor) floors.set(bundle.name, floor);
    }
    // The floors' package.json ({"type":"module"}) as next to the function bundles.
    await writeFile(join(scratch, 'floors', 'package.json'), '{"type":"module"}');
    await measure(bundles, floors);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function measure(bundles: BundleResult[], floors: Map<string, BundleResult>) {
  const byName = new Map(bundles.map((b) => [b.name, b]));
  const ingest = byName.get('ingest');
  if (!ingest) throw new Error('no ingest bundle was built');

  const bare: Variant = {
    label: 'bare node',
    args: ['--input-type=module', '-e', CPU_PROBE],
    bundle: null,
    samples: [],
    cpuSamples: [],
  };
  const variants: Variant[] = [
    bare,
    ...bundles.flatMap((bundle) => {
      const floor = floors.get(bundle.name);
      return [
        { label: bundle.name, args: importArgs(bundle), bundle, samples: [], cpuSamples: [] },
        ...(floor ? [{ label: floor.name, args: importArgs(floor), bundle: floor, samples: [], cpuSamples: [] }] : []),
      ];
    }),
  ];
  // serverless.yml sets NODE_OPTIONS=--enable-source-maps when the bundles carry source maps: measure its price.
  if (ingest.sourceMapBytes > 0) {
    variants.push({
      label: 'ingest +source-maps',
      args: importArgs(ingest, ['--enable-source-maps']),
      bundle: ingest,
      samples: [],
      cpuSamples: [],
    });
  }

  console.log(`node ${process.version}, ${rounds} rounds after ${warmup} warm-up rounds, variants alternating`);
  if (process.env.NODE_EXTRA_CA_CERTS) {
    // Loading extra CA certificates adds tens of ms to every node start; Lambda does not do it.
    console.log('(NODE_EXTRA_CA_CERTS is set here but not passed to the measured processes)');
  }
  for (let round = 0; round < warmup + rounds; round++) {
    // Rotate the starting variant each round so no variant always runs right after the same neighbour.
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(round + i) % variants.length]!;
      const { wall, cpu } = runOnce(variant);
      if (round >= warmup) {
        variant.samples.push(wall);
        variant.cpuSamples.push(cpu);
      }
    }
  }

  const bareMedian = median(bare.samples);
  const widths = [22, 10, 10, 10, 10, 8, 10];
  console.log();
  console.log(row(['variant', 'median ms', 'min ms', 'over bare', 'bundle', 'ratio', 'CPU ms'], widths));
  for (const variant of variants) {
    const m = median(variant.samples);
    console.log(
      row(
        [
          variant.label,
          m.toFixed(1),
          Math.min(...variant.samples).toFixed(1),
          variant.bundle ? `+${(m - bareMedian).toFixed(1)}` : '',
          variant.bundle ? kilobytes(variant.bundle.bytes) : '',
          `${(m / bareMedian).toFixed(2)}x`,
          median(variant.cpuSamples).toFixed(1),
        ],
        widths,
      ),
    );
  }

  console.log();
  console.log(
    "each function against its SDK floor (same SDK clients, one call each, same esbuild options); wall-clock ratio, then CPU-time ratio (the children's own CPU: steadier when the machine is shared):",
  );
  for (const bundle of bundles) {
    const floor = floors.get(bundle.name);
    if (!floor) continue;
    const own = median(variants.find((v) => v.label === bundle.name)!.samples);
    const base = median(variants.find((v) => v.label === floor.name)!.samples);
    const ratio = own / base;
    const cpuOf = (label: string) => median(variants.find((v) => v.label === label)?.cpuSamples ?? []);
    const cpuRatio = cpuOf(bundle.name) / cpuOf(floor.name);
    const clients = sdkClientsOf(bundle)
      .map((c) => c.client)
      .join(' + ');
    console.log(
      `  ${bundle.name.padEnd(12)} ${ratio.toFixed(2)}x its floor, CPU ${cpuRatio.toFixed(2)}x (${clients}; ${kilobytes(bundle.bytes)} vs ${kilobytes(floor.bytes)}) ` +
        `(target <= ${FLOOR_RATIO_TARGET}x): wall ${ratio <= FLOOR_RATIO_TARGET ? 'within target' : 'OVER target'}, CPU ${cpuRatio <= FLOOR_RATIO_TARGET ? 'within target' : 'OVER target'}`,
    );
    if (ratio > FLOOR_RATIO_TARGET || cpuRatio > FLOOR_RATIO_TARGET) {
      console.log('    heaviest parts (bytes in output):');
      for (const { name, bytes } of heaviestInputs(bundle, 8))
        console.log(`    ${kilobytes(bytes).padStart(10)}  ${name}`);
      const hint = zodLocalesHint(bundle);
      if (hint) console.log(`    ${hint}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
