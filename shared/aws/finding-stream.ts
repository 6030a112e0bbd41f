/**
 * DynamoDB stream records (view type NEW_AND_OLD_IMAGES) → finding changes for the notifier. Only
 * `FINDING#…` / `META` items count; the finding is the new image's `body` (JSON of the Finding, as the
 * projection writes it) or, for writers that store the Finding's attributes directly, the image itself.
 * Record shape: AWS Lambda "Using AWS Lambda with Amazon DynamoDB" (dynamodb.Keys, NewImage, OldImage).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { FindingChangeRecord } from '../alerts-ports.js';
import type { PathChangeTrigger } from '../canary-ports.js';
import { SCOPE_OWNER } from '../domain/connector-lifecycle.js';
import type { NotifiableFinding } from '../domain/incidents.js';
import type { FindingStatus } from '../domain/model.js';
import { RULES } from '../domain/rules.js';

export interface FindingStreamBatch {
  changes: FindingChangeRecord[];
  /** Records that name a finding but cannot be read, with the reason (logged, the batch goes on). */
  rejected: { sequenceNumber: string | undefined; error: string }[];
}

type Image = Record<string, AttributeValue>;

/** True for a stream record about a finding item (`pk` FINDING#…, `sk` META). */
export function isFindingRecord(record: DynamoDBRecord): boolean {
  const keys = record.dynamodb?.Keys;
  return Boolean(keys?.pk?.S?.startsWith('FINDING#') && keys.sk?.S === 'META');
}

export function findingChangesFromStream(records: readonly DynamoDBRecord[]): FindingStreamBatch {
  const batch: FindingStreamBatch = { changes: [], rejected: [] };
  for (const record of records) {
    if (!isFindingRecord(record) || record.eventName === 'REMOVE') continue;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    const image = record.dynamodb?.NewImage as Image | undefined;
    if (!image) {
      batch.rejected.push({
        sequenceNumber,
        error: 'finding record has no NewImage: the stream view type must be NEW_AND_OLD_IMAGES',
      });
      continue;
    }
    try {
      const finding = findingOf(image);
      const old = record.dynamodb?.OldImage as Image | undefined;
      batch.changes.push({ finding, previousStatus: old ? statusOf(old) : null });
    } catch (error) {
      batch.rejected.push({ sequenceNumber, error: (error as Error).message });
    }
  }
  return batch;
}

/**
 * Open `network-path-changed` findings about one connector that have no `pathCheck` yet (docs/canaries.md#path-changes):
 * what the canary function re-checks and re-probes. The same conditions as its stream filter in
 * serverless.yml, checked again here so a direct invocation or a wider filter cannot loop.
 */
export function pathChangeTriggersFromStream(records: readonly DynamoDBRecord[]): {
  triggers: PathChangeTrigger[];
  rejected: FindingStreamBatch['rejected'];
} {
  const out: { triggers: PathChangeTrigger[]; rejected: FindingStreamBatch['rejected'] } = {
    triggers: [],
    rejected: [],
  };
  for (const record of records) {
    if (!isFindingRecord(record) || record.eventName === 'REMOVE') continue;
    const image = record.dynamodb?.NewImage as Image | undefined;
    if (!image || image.rule?.S !== RULES.networkPathChanged.id || image.pathCheck !== undefined) continue;
    try {
      const finding = findingOf(image);
      const version = image.body?.S;
      if (finding.status !== 'open' || finding.connectorId === SCOPE_OWNER || version === undefined) continue;
      out.triggers.push({
        fingerprint: finding.fingerprint,
        connectorId: finding.connectorId,
        account: finding.account,
        region: finding.region,
        summary: finding.summary,
        version,
      });
    } catch (error) {
      out.rejected.push({ sequenceNumber: record.dynamodb?.SequenceNumber, error: (error as Error).message });
    }
  }
  return out;
}

function findingOf(image: Image): NotifiableFinding {
  const plain = unmarshall(image) as Record<string, unknown>;
  const source = typeof plain.body === 'string' ? (JSON.parse(plain.body) as Record<string, unknown>) : plain;
  const missing = ['rule', 'severity', 'status', 'connectorId', 'account', 'region', 'fingerprint', 'firstSeen'].filter(
    (k) => typeof source[k] !== 'string',
  );
  if (missing.length > 0) throw new Error(`finding ${String(plain.pk)} lacks ${missing.join(', ')}`);
  if (source.status !== 'open' && source.status !== 'resolved') {
    throw new Error(`finding ${String(plain.pk)} has status ${String(source.status)} (open or resolved expected)`);
  }
  const finding = source as unknown as NotifiableFinding;
  return {
    ...finding,
    lastSeen: finding.lastSeen ?? finding.firstSeen,
    resolvedAt: finding.resolvedAt ?? null,
    summary: finding.summary ?? finding.rule,
    evidence: Array.isArray(finding.evidence) ? finding.evidence : [],
  };
}

function statusOf(image: Image): FindingStatus | null {
  const status = image.status?.S ?? (image.body?.S ? (JSON.parse(image.body.S) as { status?: string }).status : null);
  return status === 'open' || status === 'resolved' ? status : null;
}
