import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import type { ReplayOutput } from '../../../cli/replay.js';
import { fixturePath, loadScenario } from '../../support/fixtures.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(repoRoot, 'bin', 'egress-watch.js');

async function replay(target: string, extra: string[] = [], table = `cli-${Math.random().toString(36).slice(2, 8)}`) {
  const { stdout, stderr } = await run(process.execPath, [bin, 'replay', target, ...extra], {
    cwd: repoRoot,
    env: {
      ...process.env,
      EGRESS_WATCH_DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      EGRESS_WATCH_TABLE: table,
      EGRESS_WATCH_ALLOWED_ACCOUNTS: '111122223333',
      NO_COLOR: '1',
    },
  });
  return { stdout, stderr };
}

function shuffledCopy<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return items
    .map((item) => ({ item, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

describe('egress-watch replay', () => {
  it('prints exactly one replay JSON object (docs/architecture.md#replay-json) for the article scenario', async () => {
    const { stdout } = await replay(fixturePath('scenarios', 'article-connector-lifecycle.json'), ['--json']);
    const output = JSON.parse(stdout) as ReplayOutput;

    expect(Object.keys(output).sort()).toEqual([
      'conflicts',
      'connectors',
      'counts',
      'findings',
      'ignored',
      'rejected',
    ]);
    expect(output.conflicts).toEqual([]);
    const nat = output.connectors.find((c) => c.name === 'nat-egress-connector');
    expect(nat).toMatchObject({ state: 'DELETED', subnetIds: [expect.stringMatching(/^subnet-/)] });
    expect(nat?.enis.map((e) => e.purpose).sort()).toEqual(['production', 'validation']);
    const open = output.findings.filter((f) => f.status === 'open');
    expect(open.find((f) => f.rule === 'connector-deleted-while-in-use')).toMatchObject({
      severity: 'critical',
      connectorId: nat?.id,
    });
    expect(open.filter((f) => f.rule === 'microvm-multiple-egress-connectors')).toHaveLength(2);
    for (const finding of output.findings) {
      expect(Object.keys(finding).sort()).toEqual(
        ['connectorId', 'fingerprint', 'firstSeen', 'lastSeen', 'rule', 'severity', 'status', 'summary'].sort(),
      );
    }
  });

  it('prints the same connectors and findings for the events shuffled and duplicated, as JSONL', async () => {
    const events = loadScenario('article-connector-lifecycle');
    const dir = mkdtempSync(join(tmpdir(), 'egress-watch-replay-'));
    const messy = join(dir, 'messy.jsonl');
    writeFileSync(
      messy,
      shuffledCopy([...events, ...events.slice(2, 12)], 7)
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );

    const straight = JSON.parse(
      (await replay(fixturePath('scenarios', 'article-connector-lifecycle.json'), ['--json'])).stdout,
    ) as ReplayOutput;
    const shuffled = JSON.parse((await replay(messy, ['--json'])).stdout) as ReplayOutput;

    expect(shuffled.connectors).toEqual(straight.connectors);
    expect(shuffled.findings).toEqual(straight.findings);
  });

  it('reports bad files in rejected and still replays the good ones, exit 0', async () => {
    const { stdout } = await replay(fixturePath('invalid'), ['--json']);
    const output = JSON.parse(stdout) as ReplayOutput;
    expect(output.rejected.length).toBeGreaterThanOrEqual(4);
    expect(output.ignored.map((i) => i.reason).join('\n')).toMatch(/unsupported event source s3\.amazonaws\.com/);
  });

  it('prints a readable timeline without --json', async () => {
    const { stdout } = await replay(fixturePath('scenarios', 'article-connector-lifecycle.json'));
    expect(stdout).toMatch(/nat-egress-connector .*DELETED/);
    expect(stdout).toMatch(/CRITICAL\s+open\s+connector-deleted-while-in-use/);
    expect(stdout).toMatch(/production ENI eni-\w+ \(10\.0\.0\.\d+\) created/);
  });
});
