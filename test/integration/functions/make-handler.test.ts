/**
 * The functions built with `makeHandler(deps)` on DynamoDB Local, as the lab and tests use them: the store,
 * the allow-list and the clock are injected, nothing is read from or written to process.env.
 */
import type { Context, DynamoDBStreamEvent, EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler as makeIngestHandler } from '../../../functions/ingest.js';
import { makeHandler as makeProjectHandler } from '../../../functions/project.js';
import { noFunctionMetrics } from '../../../shared/observability.js';
import { silentLogger } from '../../../shared/ports.js';
import { createTestStore } from '../../support/ddb-test-store.js';
import { loadScenario } from '../../support/fixtures.js';

const context = { functionName: 'test', awsRequestId: 'test' } as Context;
const clock = { now: () => new Date('2026-06-24T02:00:00Z') };

describe('makeHandler', () => {
  it('ingests through the injected store (stored, then duplicate) and projects from stream keys', async () => {
    const { store, requests } = await createTestStore();
    const counts: Record<string, number> = {};
    const metrics = {
      count: (name: string, value = 1) => {
        counts[name] = (counts[name] ?? 0) + value;
      },
      milliseconds: (name: string, value: number) => {
        counts[name] = value;
      },
    };
    const ingest = makeIngestHandler({
      log: store,
      allowedAccounts: new Set(['111122223333']),
      clock,
      logger: silentLogger,
      metrics,
    });
    const [first] = loadScenario('article-connector-lifecycle') as EventBridgeEvent<string, unknown>[];

    await expect(ingest(first as EventBridgeEvent<string, unknown>, context)).resolves.toMatchObject({
      stored: 1,
      duplicates: 0,
    });
    await expect(ingest(first as EventBridgeEvent<string, unknown>, context)).resolves.toMatchObject({
      stored: 0,
      duplicates: 1,
    });
    expect(requests.byCommand).toEqual({ PutItemCommand: 2 });
    expect(counts).toMatchObject({ eventsStored: 1, eventsDuplicate: 1 });

    const project = makeProjectHandler({ store, clock, logger: silentLogger, metrics });
    const stream: DynamoDBStreamEvent = {
      Records: [
        {
          eventName: 'INSERT',
          dynamodb: {
            Keys: { pk: { S: 'LOG#111122223333#ap-northeast-1' }, sk: { S: 'EVT#x' } },
            SequenceNumber: '1',
            ApproximateCreationDateTime: clock.now().getTime() / 1000 - 3,
          },
        },
      ],
    };
    await expect(project(stream, context)).resolves.toEqual({ batchItemFailures: [] });
    const connectors = await store.listConnectors({ account: '111122223333', region: 'ap-northeast-1' });
    expect(connectors.map((c) => c.name)).toEqual(['nat-egress-connector']);
    expect(counts).toMatchObject({ eventsProjected: 1, projectionLagMs: 3000 });
    await expect(
      makeProjectHandler({ store, clock, logger: silentLogger, metrics: noFunctionMetrics })({ Records: [] }, context),
    ).resolves.toEqual({ batchItemFailures: [] });
  });
});
