// Access to the sanitized EventBridge fixtures under events/ (see events/README.md).
// Paths are resolved from this file's location, never from the working directory or a machine path.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type FixtureSource = 'ec2' | 'lambda';

export interface FixtureEntry {
  source: FixtureSource;
  variant: string;
  path: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EVENTS_DIR = join(REPO_ROOT, 'events');
const SOURCES: readonly FixtureSource[] = ['ec2', 'lambda'];

/** Absolute path of a file or folder under events/, e.g. `fixturePath('ec2', 'delete-route.json')`. */
export function fixturePath(...parts: string[]): string {
  return join(EVENTS_DIR, ...parts);
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** One EventBridge event, parsed: `loadFixture('ec2', 'create-network-interface-connector-production')`. */
export function loadFixture(source: FixtureSource, variant: string): unknown {
  return readJson(fixturePath(source, `${variant.replace(/\.json$/, '')}.json`));
}

/** Every single-event fixture (events/ec2 and events/lambda; not scenarios/ or invalid/), sorted. */
export function listFixtures(): FixtureEntry[] {
  return SOURCES.flatMap((source) =>
    readdirSync(fixturePath(source))
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => ({ source, variant: name.slice(0, -'.json'.length), path: fixturePath(source, name) })),
  );
}

/** A scenario stream (a JSON array of EventBridge events in chronological order), e.g. `article-connector-lifecycle`. */
export function loadScenario(name: string): unknown[] {
  const parsed = readJson(fixturePath('scenarios', `${name.replace(/\.json$/, '')}.json`));
  if (!Array.isArray(parsed)) {
    throw new Error(`scenario ${name} is not a JSON array`);
  }
  return parsed as unknown[];
}

/**
 * Raw text of a malformed input under events/invalid/. Give the file name without `.json`
 * (`readInvalidFixture('missing-event-id')`) or in full (`readInvalidFixture('truncated.json.txt')`);
 * `truncated` resolves to `truncated.json.txt`, the only file there that is not valid JSON.
 */
export function readInvalidFixture(name: string): string {
  const candidates = [name, `${name}.json`, `${name}.json.txt`];
  const names = new Set(readdirSync(fixturePath('invalid')));
  const found = candidates.find((candidate) => names.has(candidate));
  if (!found) {
    throw new Error(`no invalid fixture named ${name} under events/invalid/`);
  }
  return readFileSync(fixturePath('invalid', found), 'utf8');
}
