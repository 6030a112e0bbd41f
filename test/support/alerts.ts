/** Helpers for the alerting e2e tests: what the lab's Slack and SNS received, and the incidents stored. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Lab } from '../../lab/lab.js';
import { DynamoDbIncidents } from '../../shared/aws/dynamodb-incidents.js';
import type { Incident } from '../../shared/domain/incidents.js';
import type { SnsMessageV1 } from '../../shared/domain/notification-message.js';

export function snsMessages(
  lab: Lab,
): { subject: string | undefined; message: SnsMessageV1; attributes: Record<string, string> }[] {
  return lab.sns.published.map((p) => ({
    subject: p.subject,
    message: JSON.parse(p.message) as SnsMessageV1,
    attributes: Object.fromEntries(Object.entries(p.messageAttributes).map(([k, v]) => [k, v.stringValue ?? ''])),
  }));
}

/** (method, ts, text) of every Slack payload accepted, in order. */
export function slackCalls(lab: Lab): { method: string; ts: string | undefined; text: string }[] {
  return lab.slack.received.map((r) => ({ method: r.method, ts: r.ts, text: String(r.payload.text) }));
}

export async function storedIncidents(lab: Lab): Promise<Incident[]> {
  const client = new DynamoDBClient({
    endpoint: lab.options.dynamodbEndpoint,
    region: lab.options.region,
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  });
  try {
    const store = new DynamoDbIncidents({ client, tableName: lab.options.tableName });
    return await store.listIncidents({ account: lab.options.account, region: lab.options.region });
  } finally {
    client.destroy();
  }
}
