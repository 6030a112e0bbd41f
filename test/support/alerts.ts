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

/** The facts the article's deletion message must carry, in either Slack mode: the Block Kit of that message. */
export const ARTICLE_DELETION_FACTS = [
  'nat-egress-connector',
  '111122223333 / ap-northeast-1',
  'role/PlatformAdmin/alice',
  'docs/runbooks/connector-deleted-while-in-use.md',
];

/** The Block Kit (as JSON text) of the first Slack payload whose text contains `needle`. */
export function slackBlocksOf(lab: Lab, needle: string): string {
  const found = lab.slack.received.find((r) => String(r.payload.text).includes(needle));
  return JSON.stringify(found?.payload.blocks ?? null);
}

export async function storedIncidents(lab: Lab): Promise<Incident[]> {
  return withLabTable(lab, (client, tableName) =>
    new DynamoDbIncidents({ client, tableName }).listIncidents({
      account: lab.options.account,
      region: lab.options.region,
    }),
  );
}
