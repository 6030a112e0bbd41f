import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.js';

const VALID = {
  EGRESS_WATCH_TABLE: 'egress-watch-dev',
  EGRESS_WATCH_ALLOWED_ACCOUNTS: '111122223333, 444455556666',
  AWS_REGION: 'us-east-1',
};

function problemOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it('reads a valid environment into a typed config', () => {
    const config = loadConfig({ ...VALID, EGRESS_WATCH_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });

    expect(config).toEqual({
      tableName: 'egress-watch-dev',
      allowedAccounts: new Set(['111122223333', '444455556666']),
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      targets: null,
    });
  });

  it('reads EGRESS_WATCH_TARGETS, and refuses a malformed one as a configuration error', () => {
    const targets = '{"targets":[{"account":"444455556666","regions":["us-east-1","eu-west-1"]}],"concurrency":2}';
    expect(loadConfig({ ...VALID, EGRESS_WATCH_TARGETS: targets }).targets?.targets.map((t) => t.region)).toEqual([
      'us-east-1',
      'eu-west-1',
    ]);
    expect(() => loadConfig({ ...VALID, EGRESS_WATCH_TARGETS: '{"targets":[]}' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...VALID, EGRESS_WATCH_TARGETS: '{"targets":[]}' })).toThrow(
      /must list at least one account/,
    );
  });

  it('leaves the DynamoDB endpoint undefined when it is not set', () => {
    expect(loadConfig(VALID).dynamodbEndpoint).toBeUndefined();
  });

  it('returns a frozen object', () => {
    const config = loadConfig(VALID);

    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { tableName: string }).tableName = 'other';
    }).toThrow(TypeError);
  });

  it('trims the allow-list and drops empty entries', () => {
    const config = loadConfig({ ...VALID, EGRESS_WATCH_ALLOWED_ACCOUNTS: ' 111122223333 ,,444455556666, ' });

    expect([...config.allowedAccounts]).toEqual(['111122223333', '444455556666']);
  });

  it('fails naming the table variable when the table is missing', () => {
    const message = problemOf({ ...VALID, EGRESS_WATCH_TABLE: undefined });

    expect(message).toBe('invalid configuration: EGRESS_WATCH_TABLE is required (the DynamoDB table name)');
  });

  // Product bug (see report): zod 4 applies the schema-level "is required" message to the min(3) check too.
  it('says a too-short table name is too short, not that it is missing', () => {
    const message = problemOf({ ...VALID, EGRESS_WATCH_TABLE: 'ab' });

    expect(message).toMatch(/^invalid configuration: EGRESS_WATCH_TABLE /);
    expect(message).not.toMatch(/is required/);
  });

  it('fails naming the allow-list variable when it is missing', () => {
    const message = problemOf({ ...VALID, EGRESS_WATCH_ALLOWED_ACCOUNTS: undefined });

    expect(message).toBe(
      'invalid configuration: EGRESS_WATCH_ALLOWED_ACCOUNTS is required (comma-separated 12-digit AWS account ids)',
    );
  });

  it.each([[''], [' , ']])('fails when the allow-list %j names no account', (value) => {
    const message = problemOf({ ...VALID, EGRESS_WATCH_ALLOWED_ACCOUNTS: value });

    expect(message).toBe('invalid configuration: EGRESS_WATCH_ALLOWED_ACCOUNTS must name at least one account');
  });

  it('fails when an allow-list entry is not a 12-digit account id, naming its position', () => {
    const message = problemOf({ ...VALID, EGRESS_WATCH_ALLOWED_ACCOUNTS: '111122223333,4444-5555-6666' });

    expect(message).toBe('invalid configuration: EGRESS_WATCH_ALLOWED_ACCOUNTS.1 must be 12-digit AWS account ids');
  });

  it('rejects a DynamoDB endpoint that is not a URL', () => {
    expect(problemOf({ ...VALID, EGRESS_WATCH_DYNAMODB_ENDPOINT: 'not a url' })).toMatch(
      /EGRESS_WATCH_DYNAMODB_ENDPOINT/,
    );
  });

  it('lists every problem of an empty environment in one error', () => {
    const message = problemOf({});

    expect(message).toMatch(/EGRESS_WATCH_TABLE is required/);
    expect(message).toMatch(/EGRESS_WATCH_ALLOWED_ACCOUNTS is required/);
    expect(message).toMatch(/AWS_REGION is required/);
  });
});
