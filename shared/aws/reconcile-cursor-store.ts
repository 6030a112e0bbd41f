/**
 * The reconcile watermark on the monitor's table: `RECONCILE#<account>#<region>` / `CURSOR`
 * (docs/reconcile.md). Written once per successful run, after every other write of the run.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ReconcileCursor, ReconcileCursorStore } from '../app/reconcile-ports.js';
import type { Scope } from '../ports.js';

export class DynamoDbReconcileCursorStore implements ReconcileCursorStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async loadCursor(scope: Scope): Promise<ReconcileCursor | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(scope), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    return { watermark: String(out.Item.watermark), lastRunAt: String(out.Item.lastRunAt) };
  }

  async saveCursor(scope: Scope, cursor: ReconcileCursor): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...keyOf(scope), ...cursor } }));
  }
}

function keyOf(scope: Scope): { pk: string; sk: string } {
  return { pk: `RECONCILE#${scope.account}#${scope.region}`, sk: 'CURSOR' };
}
