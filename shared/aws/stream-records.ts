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

/** New event-log items of a DynamoDB stream batch, grouped by scope, with their sort keys (in stream order). */
export function batchesFromStreamRecords(records: readonly DynamoDBRecord[]): { scope: Scope; keys: string[] }[] {
  const batches = new Map<string, { scope: Scope; keys: string[] }>();
  for (const record of records) {
    if (record.eventName !== 'INSERT') continue;
    const pk = record.dynamodb?.Keys?.pk?.S;
    const sk = record.dynamodb?.Keys?.sk?.S;
    const match = pk?.match(/^LOG#(\d{12})#([a-z0-9-]+)$/);
    if (!match?.[1] || !match[2] || !sk) continue;
    const batch = batches.get(pk as string) ?? { scope: { account: match[1], region: match[2] }, keys: [] };
    batch.keys.push(sk);
    batches.set(pk as string, batch);
  }
  return [...batches.values()];
}
