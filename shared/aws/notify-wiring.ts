/**
 * Assembles the notifier's adapters from the configuration (used by functions/notify.ts and the CLI): the
 * table, the Slack channel (bot or webhook, secret from SSM/Secrets Manager), the SNS channel and the SQS
 * dead-letter queue. Every AWS client honours AWS_ENDPOINT_URL (the lab), and the Slack Web API base URL is
 * EGRESS_WATCH_SLACK_API_URL.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type AlertsConfig, routeChannel } from '../alerts-config.js';
import type { NotificationChannel } from '../alerts-ports.js';
import type { NotifyDeps } from '../app/notify.js';
import type { Config } from '../config.js';
import type { IncidentTransition } from '../domain/incidents.js';
import type { Clock, Logger, Metrics } from '../ports.js';
import type { AwsClientSettings } from '../runtime.js';
import { SlackWebApiChannel } from '../slack/web-api-channel.js';
import { SlackWebhookChannel } from '../slack/webhook-channel.js';
import { DynamoDbIncidents } from './dynamodb-incidents.js';
import { slackSecretResolver } from './slack-secret.js';
import { SnsChannel } from './sns-channel.js';
import { SqsDeadLetters } from './sqs-dead-letters.js';

export interface NotifyWiring {
  deps: NotifyDeps;
  incidents: DynamoDbIncidents;
  destroy(): void;
}

/** The Slack channel of the configured mode (bot: Web API, webhook: incoming webhook). */
export type SlackChannel = SlackWebApiChannel | SlackWebhookChannel;

/**
 * The Slack channel the configuration asks for, or null when Slack is `off` (or has no secret name): bot
 * mode → `SlackWebApiChannel` (official @slack/web-api), webhook mode → `SlackWebhookChannel` (official
 * @slack/webhook); the secret is resolved by name from SSM / Secrets Manager with `aws` client settings.
 * Shared by the notify function and the report function (docs/alerts.md, docs/report.md).
 */
export function wireSlackChannel(
  alerts: AlertsConfig,
  route: (t: IncidentTransition) => string,
  logger: Logger,
  aws: AwsClientSettings,
): SlackChannel | null {
  if (alerts.slackMode === 'off' || !alerts.slackSecretName) return null;
  const secret = slackSecretResolver(alerts.slackSecretName, alerts.secretMaxAgeSeconds, aws);
  const common = {
    route,
    runbookBaseUrl: alerts.runbookBaseUrl,
    retries: alerts.slackRetries,
    retryMinMs: alerts.slackRetryMinMs,
    dryRun: alerts.dryRun.has('slack'),
    logger,
  };
  return alerts.slackMode === 'bot'
    ? new SlackWebApiChannel({
        ...common,
        token: secret,
        ...(alerts.slackApiUrl ? { slackApiUrl: alerts.slackApiUrl } : {}),
      })
    : new SlackWebhookChannel({ ...common, secret, defaultChannel: alerts.slackDefaultChannel });
}

/**
 * @throws Error when no dead-letter queue is configured: a failed notification must land somewhere.
 */
export function wireNotify(
  config: Pick<Config, 'tableName' | 'dynamodbEndpoint' | 'region'>,
  alerts: AlertsConfig,
  observability: { logger: Logger; metrics: Metrics; clock?: Clock },
  aws: AwsClientSettings = {},
): NotifyWiring {
  if (!alerts.deadLetterQueueUrl) {
    throw new Error('EGRESS_WATCH_NOTIFY_DLQ_URL is required: notifications that cannot be delivered go there');
  }
  const settings = { region: config.region, ...aws };
  const ddb = new DynamoDBClient({
    ...settings,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const sqs = new SQSClient(settings);
  const sns = new SNSClient(settings);
  const incidents = new DynamoDbIncidents({ client: ddb, tableName: config.tableName });
  const route = (t: IncidentTransition) =>
    routeChannel(alerts, { severity: t.incident.severity, tags: t.incident.members.flatMap((m) => m.tags) });
  const channels: NotificationChannel[] = [];
  const slack = wireSlackChannel(alerts, route, observability.logger, settings);
  if (slack) channels.push(slack);
  if (alerts.snsTopicArn) {
    channels.push(
      new SnsChannel({
        client: sns,
        topicArn: alerts.snsTopicArn,
        runbookBaseUrl: alerts.runbookBaseUrl,
        dryRun: alerts.dryRun.has('sns'),
        logger: observability.logger,
      }),
    );
  }
  return {
    incidents,
    deps: {
      incidents,
      ledger: incidents,
      channels,
      deadLetters: new SqsDeadLetters({ client: sqs, queueUrl: alerts.deadLetterQueueUrl }),
      policy: alerts.policy,
      maintenanceWindows: alerts.maintenanceWindows,
      clock: observability.clock ?? { now: () => new Date() },
      logger: observability.logger,
      metrics: observability.metrics,
    },
    destroy() {
      ddb.destroy();
      sqs.destroy();
      sns.destroy();
    },
  };
}
