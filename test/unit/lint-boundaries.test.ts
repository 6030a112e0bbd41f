/**
 * The import boundaries of docs/architecture.md#boundaries hold: a copy of the product tree (biome.json,
 * shared/, functions/) in a temporary directory lints clean, and one scratch file breaking one rule makes
 * Biome fail on that file with the rule that forbids it (the scratch file alone is linted, with the copy's
 * configuration, so the run stays short). Each case gets a run of its own, so a rule that
 * another folder's override silently replaced (the bug this guards against) shows up as a passing run.
 * Spawns the repo's Biome binary; no network.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIOME = join(REPO_ROOT, 'node_modules', '.bin', 'biome');

interface Violation {
  rule: string;
  file: string;
  source: string;
}

/** One scratch violation per rule. `file` is relative to the copy's root. */
const VIOLATIONS: Violation[] = [
  { rule: 'domain: no SDK', file: 'shared/domain/scratch.ts', source: "import '@aws-sdk/client-dynamodb';" },
  { rule: 'domain: no Smithy', file: 'shared/domain/scratch.ts', source: "import '@smithy/signature-v4';" },
  { rule: 'domain: no aws-lambda', file: 'shared/domain/scratch.ts', source: "import type {} from 'aws-lambda';" },
  { rule: 'domain: no node:*', file: 'shared/domain/scratch.ts', source: "import 'node:fs';" },
  { rule: 'domain: no bare Node built-in', file: 'shared/domain/scratch.ts', source: "import 'fs';" },
  { rule: 'domain: no aws adapters', file: 'shared/domain/scratch.ts', source: "import '../aws';" },
  {
    rule: 'domain: no aws adapter file',
    file: 'shared/domain/scratch.ts',
    source: "import '../aws/dynamodb-store.js';",
  },
  { rule: 'domain: no app', file: 'shared/domain/scratch.ts', source: "import '../app';" },
  { rule: 'domain: no app file', file: 'shared/domain/scratch.ts', source: "import '../app/ingest-events.js';" },
  { rule: 'domain: no ports', file: 'shared/domain/scratch.ts', source: "import '../ports.js';" },
  { rule: 'domain: no config', file: 'shared/domain/scratch.ts', source: "import '../config.js';" },
  { rule: 'domain: no observability', file: 'shared/domain/scratch.ts', source: "import '../observability.js';" },
  { rule: 'domain: no slack', file: 'shared/domain/scratch.ts', source: "import '../slack/client.js';" },
  { rule: 'domain: no lab', file: 'shared/domain/scratch.ts', source: "import '../../lab/clock.js';" },
  { rule: 'domain: no cli', file: 'shared/domain/scratch.ts', source: "import '../../cli/render.js';" },
  { rule: 'domain: no functions', file: 'shared/domain/scratch.ts', source: "import '../../functions/ingest.js';" },
  { rule: 'app: no SDK', file: 'shared/app/scratch.ts', source: "import '@aws-sdk/client-dynamodb';" },
  { rule: 'app: no node:*', file: 'shared/app/scratch.ts', source: "import 'node:fs';" },
  { rule: 'app: no bare Node built-in', file: 'shared/app/scratch.ts', source: "import 'child_process';" },
  { rule: 'app: no aws adapters', file: 'shared/app/scratch.ts', source: "import '../aws/dynamodb-store.js';" },
  { rule: 'app: no config', file: 'shared/app/scratch.ts', source: "import '../config.js';" },
  { rule: 'app: no observability', file: 'shared/app/scratch.ts', source: "import '../observability.js';" },
  { rule: 'app: no slack', file: 'shared/app/scratch.ts', source: "import '../slack/client.js';" },
  { rule: 'app: no lab', file: 'shared/app/scratch.ts', source: "import '../../lab/clock.js';" },
  { rule: 'app: no cli', file: 'shared/app/scratch.ts', source: "import '../../cli/render.js';" },
  { rule: 'app: no functions', file: 'shared/app/scratch.ts', source: "import '../../functions/ingest.js';" },
  {
    rule: 'app (nested): no aws adapters',
    file: 'shared/app/area/scratch.ts',
    source: "import '../../aws/dynamodb-store.js';",
  },
  { rule: 'functions: no lab', file: 'functions/scratch.ts', source: "import '../lab/clock.js';" },
  { rule: 'functions: no cli', file: 'functions/scratch.ts', source: "import '../cli/render.js';" },
  { rule: 'shared/aws: no lab', file: 'shared/aws/scratch.ts', source: "import '../../lab/clock.js';" },
  { rule: 'shared (root): no lab', file: 'shared/scratch.ts', source: "import '../lab/lab.js';" },
  { rule: 'shared (root): no cli', file: 'shared/scratch.ts', source: "import '../cli/main.js';" },
];

/** Imports each folder may use: they must not trip the rules above. */
const ALLOWED: Violation[] = [
  {
    rule: 'domain: own files and pure libraries',
    file: 'shared/domain/scratch.ts',
    source: "import './model.js';\nimport 'zod';",
  },
  {
    rule: 'app: domain and ports',
    file: 'shared/app/scratch.ts',
    source: "import '../domain/model.js';\nimport '../ports.js';\nimport './ingest-events.js';",
  },
  {
    rule: 'app (nested): domain and ports',
    file: 'shared/app/area/scratch.ts',
    source: "import '../../domain/model.js';\nimport '../../ports.js';",
  },
  {
    rule: 'functions: shared and SDKs',
    file: 'functions/scratch.ts',
    source: "import '../shared/app/ingest-events.js';\nimport '../shared/aws/clients.js';\nimport 'node:fs';",
  },
  {
    rule: 'shared/aws: SDKs, Node, app and domain',
    file: 'shared/aws/scratch.ts',
    source: "import '@aws-sdk/client-dynamodb';\nimport 'node:crypto';\nimport '../domain/model.js';",
  },
];

let copy: string;

/** Lints `paths` (relative to the copy) with the copy's biome.json; the whole product tree by default. */
function lint(paths: string[] = ['shared', 'functions']): { status: number | null; output: string } {
  const child = spawnSync(BIOME, ['lint', '--max-diagnostics=200', '--colors=off', ...paths], {
    cwd: copy,
    encoding: 'utf8',
  });
  return { status: child.status, output: `${child.stdout}${child.stderr}` };
}

function withScratch<T>(violation: Violation, run: () => T): T {
  const path = join(copy, violation.file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${violation.source}\n`);
  try {
    return run();
  } finally {
    rmSync(path);
  }
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'egress-watch-lint-'));
  cpSync(join(REPO_ROOT, 'biome.json'), join(copy, 'biome.json'));
  for (const dir of ['shared', 'functions']) {
    cpSync(join(REPO_ROOT, dir), join(copy, dir), { recursive: true });
  }
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('lint boundaries', { timeout: 60_000 }, () => {
  it('the untouched tree passes', () => {
    const result = lint();
    expect(result.output).not.toMatch(/noRestrictedImports|noNodejsModules/);
    expect(result.status, result.output).toBe(0);
  });

  it.each(VIOLATIONS)('fails on a scratch violation: $rule', (violation) => {
    const result = withScratch(violation, () => lint([violation.file]));
    expect(result.status, result.output).not.toBe(0);
    expect(result.output).toContain(violation.file);
    expect(result.output).toMatch(/lint\/(style\/noRestrictedImports|correctness\/noNodejsModules)/);
  });

  it.each(ALLOWED)('allows $rule', (allowed) => {
    const result = withScratch(allowed, () => lint([allowed.file]));
    expect(result.output).not.toContain(allowed.file);
    expect(result.status, result.output).toBe(0);
  });
});
