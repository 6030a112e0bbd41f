/**
 * Builds the probe agent's MicroVM image context (docs/canaries.md#agent-image): bundles
 * canary-agent/server.ts into one dependency-free ESM file and copies the Dockerfile next to it, in
 * .build/canary-agent/. Zip that directory (Dockerfile at the zip root) for CreateMicrovmImage.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, '.build', 'canary-agent');

await mkdir(OUT, { recursive: true });
await build({
  entryPoints: [join(ROOT, 'canary-agent', 'server.ts')],
  outfile: join(OUT, 'server.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: false,
  legalComments: 'none',
});
await copyFile(join(ROOT, 'canary-agent', 'Dockerfile'), join(OUT, 'Dockerfile'));
const { size } = await stat(join(OUT, 'server.mjs'));
console.log(`built ${join('.build', 'canary-agent')}/ (server.mjs ${size} bytes, Dockerfile)`);
