/**
 * What the report use case needs from the outside world (docs/report.md). The DynamoDB adapter
 * (shared/aws/dynamodb-report-source.ts) reads the monitor's table; the S3 adapter
 * (shared/aws/s3-report-archive.ts) stores the outputs; the SQS adapter (shared/aws/sqs-dead-letter-counts.ts)
 * counts the dead-letter queues; the Slack sender is injected by the composition root.
 */
import type { CanaryRun } from './domain/canary.js';
import type { ConnectorView, Finding } from './domain/model.js';
import type { IncidentRecord, MonitorHealth } from './domain/report.js';
import type { DeadLetterQueueCount, Report } from './domain/report-schema.js';
import type { SlackMessage } from './domain/report-slack.js';

/** A time window [since, until), ISO-8601. */
export interface ReportWindow {
  since: string;
  until: string;
}

/** Reads what a report is computed from. Every method reads; none writes. */
export interface ReportSource {
  /** Connector views of every account/region the monitor knows. */
  listConnectors(): Promise<ConnectorView[]>;
  /** Findings of every account/region (open and resolved). */
  listFindings(): Promise<Finding[]>;
  /** Incident records (`INCIDENT#…`); empty when the store holds none (the report then uses findings). */
  listIncidents(): Promise<IncidentRecord[]>;
  /** Canary runs of these connectors started in the window (`CANARY#<connectorId>` / `RUN#<startedAt>`). */
  listCanaryRuns(connectorIds: readonly string[], window: ReportWindow): Promise<CanaryRun[]>;
  /** The monitor's own counts over the window; a count the store does not keep is null with its reason. */
  monitorHealth(window: ReportWindow): Promise<MonitorHealth>;
}

/** Where a stored report can be found (S3 bucket and keys). */
export interface StoredReport {
  bucket: string;
  htmlKey: string;
  jsonKey: string;
  slackKey: string;
}

/** Keeps the report's outputs (HTML, JSON, Slack blocks). */
export interface ReportArchive {
  store(report: Report, outputs: { html: string; json: string; slack: SlackMessage }): Promise<StoredReport>;
}

/** Renders the self-contained HTML page of a report. */
export type ReportRenderer = (report: Report) => Promise<string>;

/** Posts the Slack summary (the Slack adapter, or a dry run that records it). */
export type SlackSummarySender = (message: SlackMessage) => Promise<void>;

/** Counts the messages waiting in the monitor's dead-letter queues. */
export interface DeadLetterCounter {
  /**
   * One entry per configured queue, in configuration order: `count` = SQS ApproximateNumberOfMessages, or
   * null with the reason in `source` when the queue cannot be read (the report then says "n/a"). Never throws
   * for one unreadable queue.
   */
  count(): Promise<DeadLetterQueueCount[]>;
}
