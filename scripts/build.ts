/**
 * Bundles every Lambda handler (functions/*.ts) into .build/functions/<name>.js with the esbuild options that
 * serverless-esbuild uses at `sls package`: they are read from serverless.yml's custom.esbuild, so the bundle
 * measured here (sizes, cold start) is the bundle that ships. `npm run build`; bench:cold imports it as a module.
 */
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { parseServerlessYaml } from '../lab/eventbridge/serverless-rules.js';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const FUNCTIONS_DIR = join(REPO_ROOT, 'functions');
export const BUILD_DIR = join(REPO_ROOT, '.build', 'functions');

/** custom.esbuild keys that configure serverless-esbuild itself; it strips them before calling esbuild. */
const PLUGIN_ONLY_KEYS = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
]);

export interface BundleResult {
  name: string;
  entry: string;
  outfile: string;
  bytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
  metafile: Metafile;
}

/** custom.esbuild as written in serverless.yml. */
export async function readServerlessEsbuildConfig(
  serverlessYml = join(REPO_ROOT, 'serverless.yml'),
): Promise<Record<string, unknown>> {
  const config = parseServerlessYaml(await readFile(serverlessYml, 'utf8')) as { custom?: { esbuild?: unknown } };
  const esbuild = config.custom?.esbuild;
  if (typeof esbuild !== 'object' || esbuild === null || Array.isArray(esbuild)) {
    throw new Error(`${serverlessYml}: custom.esbuild is missing or not a mapping`);
  }
  return esbuild as Record<string, unknown>;
}

/** The esbuild options serverless-esbuild derives from custom.esbuild (same stripping, externals and extension). */
export function toEsbuildOptions(custom: Record<string, unknown>): BuildOptions {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(custom)) {
    if (!PLUGIN_ONLY_KEYS.has(key)) options[key] = value;
  }
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);
  const exclude = strings(custom.exclude);
  options.external = [...strings(custom.external), ...(exclude.includes('*') ? [] : exclude)];
  const extension = typeof custom.outputFileExtension === 'string' ? custom.outputFileExtension : '.js';
  if (extension !== '.js') options.outExtension = { '.js': extension };
  return options as BuildOptions;
}

/** Handler entry points: every functions/*.ts (functions/package.json and the like are not handlers). */
export async function listHandlerEntries(): Promise<string[]> {
  const names = await readdir(FUNCTIONS_DIR);
  return names
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts'))
    .sort()
    .map((name) => join(FUNCTIONS_DIR, name));
}

export async function buildFunctions(outdir = BUILD_DIR): Promise<BundleResult[]> {
  const options = toEsbuildOptions(await readServerlessEsbuildConfig());
  const entries = await listHandlerEntries();
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  // The zip carries functions/package.json ({"type":"module"}) next to each bundle; mirror that here.
  await copyFile(join(FUNCTIONS_DIR, 'package.json'), join(outdir, 'package.json'));
  const extension = typeof options.outExtension?.['.js'] === 'string' ? options.outExtension['.js'] : '.js';
  return Promise.all(
    entries.map(async (entry) => {
      const name = basename(entry, '.ts');
      const result = await build({ ...options, entryPoints: [entry], outdir, metafile: true, logLevel: 'warning' });
      const outfile = join(outdir, `${name}${extension}`);
      await writeFile(join(outdir, `${name}.meta.json`), JSON.stringify(result.metafile));
      const code = await readFile(outfile);
      const sourceMapBytes = await stat(`${outfile}.map`).then(
        (s) => s.size,
        () => 0,
      );
      return {
        name,
        entry,
        outfile,
        bytes: code.byteLength,
        gzipBytes: gzipSync(code).byteLength,
        sourceMapBytes,
        metafile: result.metafile,
      };
    }),
  );
}

export const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main() {
  const started = performance.now();
  const bundles = await buildFunctions();
  for (const bundle of bundles) {
    const map = bundle.sourceMapBytes > 0 ? `, map ${kilobytes(bundle.sourceMapBytes)}` : '';
    console.log(
      `${relative(REPO_ROOT, bundle.outfile)}  ${kilobytes(bundle.bytes)} (gzip ${kilobytes(bundle.gzipBytes)}${map})`,
    );
  }
  console.log(`built ${bundles.length} bundles in ${Math.round(performance.now() - started)} ms`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
