/** Helpers for the alerting e2e tests: what the lab's Slack and SNS received, and the incidents stored. */
import type { Lab } from '../../lab/lab.js';
import { DynamoDbIncidents } from '../../shared/aws/dynamodb-incidents.js';
import type { Incident } from '../../shared/domain/incidents.js';
import type { SnsMessageV1 } from '../../shared/domain/notification-message.js';
import { withLabTable } from './play-scenario.js';

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
  return withLabTable(lab, (client, tableName) =>
    new DynamoDbIncidents({ client, tableName }).listIncidents({
      account: lab.options.account,
      region: lab.options.region,
    }),
  );
}
