import type { DynamoDBRecord } from 'aws-lambda';
import type { Scope } from '../ports.js';

/** Scopes named by event-log inserts (pk LOG#<account>#<region>) in a DynamoDB stream batch. */
export function scopesFromStreamRecords(records: readonly DynamoDBRecord[]): Scope[] {
  const scopes = new Map<string, Scope>();
  for (const record of records) {
    if (record.eventName !== 'INSERT') continue;
    const pk = record.dynamodb?.Keys?.pk?.S;
    const match = pk?.match(/^LOG#(\d{12})#([a-z0-9-]+)$/);
    if (match?.[1] && match[2]) scopes.set(pk as string, { account: match[1], region: match[2] });
  }
  return [...scopes.values()];
}
