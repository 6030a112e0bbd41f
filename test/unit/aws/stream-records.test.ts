import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { scopesFromStreamRecords } from '../../../shared/aws/stream-records.js';

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  pk: string,
  sk = 'EVT#2026-06-24T01:00:00.000Z#e1',
): DynamoDBRecord {
  return { eventName, dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } } };
}

describe('scopesFromStreamRecords', () => {
  it('names the account and region of an event-log insert', () => {
    expect(scopesFromStreamRecords([record('INSERT', 'LOG#111122223333#us-east-1')])).toEqual([
      { account: '111122223333', region: 'us-east-1' },
    ]);
  });

  it('ignores MODIFY and REMOVE of event-log items', () => {
    const records = [record('MODIFY', 'LOG#111122223333#us-east-1'), record('REMOVE', 'LOG#111122223333#eu-west-1')];

    expect(scopesFromStreamRecords(records)).toEqual([]);
  });

  it('ignores inserts of items that are not in the event log', () => {
    const records = [
      record('INSERT', 'CONN#nc-f02609ef-5a36-4a4c-9703-fa382c8868bd', 'META'),
      record('INSERT', 'FINDING#connector-failed:0123456789abcdef', 'META'),
      record('INSERT', 'LOGX#111122223333#us-east-1'),
      record('INSERT', 'LOG#1111#us-east-1'),
      record('INSERT', 'LOG#111122223333#US-EAST-1'),
    ];

    expect(scopesFromStreamRecords(records)).toEqual([]);
  });

  it('tolerates records without keys or with a non-string pk', () => {
    const records: DynamoDBRecord[] = [
      { eventName: 'INSERT' },
      { eventName: 'INSERT', dynamodb: {} },
      { eventName: 'INSERT', dynamodb: { Keys: { pk: { N: '1' } } } },
    ];

    expect(scopesFromStreamRecords(records)).toEqual([]);
  });

  it('returns each scope once, in order of first appearance', () => {
    const records = [
      record('INSERT', 'LOG#111122223333#us-east-1', 'EVT#a'),
      record('INSERT', 'LOG#111122223333#ap-northeast-1', 'EVT#b'),
      record('INSERT', 'LOG#111122223333#us-east-1', 'EVT#c'),
      record('MODIFY', 'LOG#444455556666#us-east-1', 'EVT#d'),
      record('INSERT', 'LOG#444455556666#us-east-1', 'EVT#e'),
    ];

    expect(scopesFromStreamRecords(records)).toEqual([
      { account: '111122223333', region: 'us-east-1' },
      { account: '111122223333', region: 'ap-northeast-1' },
      { account: '444455556666', region: 'us-east-1' },
    ]);
  });
});
