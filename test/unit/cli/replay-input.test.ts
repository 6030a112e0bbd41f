/**
 * Replay input and accounting (issue 7, items 4, 5 and 8): JSONL line by line, bytes that are not UTF-8
 * refused per line, rejected entries never merged, and --allow-account values that are not 12 digits are a
 * usage error (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEventBytes, parseEventText } from '../../../cli/event-files.js';
import { resolveAllowList, toReplayOutput } from '../../../cli/replay.js';
import { UnparseableEvent } from '../../../shared/app/ingest-events.js';
import { UsageError } from '../../../shared/domain/errors.js';
import { loadScenario } from '../../support/fixtures.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const encode = (text: string) => new TextEncoder().encode(text);

describe('replay input', () => {
  it('a JSONL file whose first line is corrupt is one rejection plus its nine events', () => {
    const events = loadScenario('article-connector-lifecycle').slice(0, 9);
    const text = ['{"version": "0", "detail": {', ...events.map((e) => JSON.stringify(e))].join('\n');

    const inputs = parseEventText(text);

    expect(inputs).toHaveLength(10);
    expect(inputs[0]).toBeInstanceOf(UnparseableEvent);
    expect((inputs[0] as UnparseableEvent).error).toMatch(/^line 1: /);
    expect(inputs.slice(1)).toEqual(events);
  });

  it('lines with bytes that are not UTF-8 are rejected one by one, never decoded into equal eventIDs', () => {
    const line = (id: string) => `{"detail": {"eventID": "${id}"}}`;
    const bytes = new Uint8Array([
      ...encode(line('ok-1')),
      0x0a,
      ...encode('{"detail": {"eventID": "utf-'),
      0xff,
      ...encode('"}}'),
      0x0a,
      ...encode('{"detail": {"eventID": "utf-'),
      0xfe,
      ...encode('"}}'),
      0x0a,
    ]);

    const inputs = parseEventBytes(bytes);

    expect(inputs).toHaveLength(3);
    expect(inputs[0]).toEqual({ detail: { eventID: 'ok-1' } });
    expect(inputs.slice(1).map((i) => (i as UnparseableEvent).error)).toEqual([
      'line 2: not valid UTF-8',
      'line 3: not valid UTF-8',
    ]);
  });

  it('a single JSON document with bytes that are not UTF-8 is one rejection', () => {
    const bytes = new Uint8Array([...encode('{\n  "detail": {"eventID": "a'), 0xc3, ...encode('"}\n}\n')]);

    const inputs = parseEventBytes(bytes);

    expect(inputs).toHaveLength(1);
    expect((inputs[0] as UnparseableEvent).error).toBe('the file is not valid UTF-8');
  });
});

describe('replay --json accounting', () => {
  it('keeps five identical rejections as five entries and passes the counts through', () => {
    const five = Array.from({ length: 5 }, () => ({ eventId: null, error: 'invalid JSON: Unexpected end' }));
    const counts = { received: 7, stored: 1, duplicates: 0, ignored: 1, rejected: 5 };

    const output = toReplayOutput([], [], [{ eventId: 'e-1', reason: 'not tracked' }], five, counts);

    expect(output.rejected).toHaveLength(5);
    expect(output.counts).toEqual(counts);
  });
});

describe('egress-watch replay --allow-account', () => {
  it.each(['123', '1111222233334', 'abcdefghijkl', ' 111122223333'])('%j is not an account id: UsageError', (value) => {
    expect(() => resolveAllowList(['111122223333', value], { allowedAccounts: undefined })).toThrow(UsageError);
  });

  it('a value that is not 12 digits is a usage error: exit 2 with the usage text', () => {
    const value = '123';
    const child = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'egress-watch.js'), 'replay', 'events/ec2', '--allow-account', value],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, EGRESS_WATCH_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' },
      },
    );

    expect(child.status).toBe(2);
    expect(child.stderr).toContain(`--allow-account takes a 12-digit AWS account id, got ${value}`);
    expect(child.stderr).toContain('usage:');
  }, 30_000);
});
