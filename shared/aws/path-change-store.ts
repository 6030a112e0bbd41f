/**
 * PathChangeStore on the monitor table (docs/canaries.md#path-changes): the check of a `network-path-changed`
 * finding is the attribute `pathCheck` (PathChangeCheck JSON) of its `FINDING#<fingerprint>` / `META` item,
 * set with one conditional UpdateItem on the version (`body`) the check was computed for. The projection
 * replaces the item (PutItem) when the finding changes, which drops the check: the stream then carries the
 * new version without `pathCheck` and it is checked again; an item carrying `pathCheck` is filtered out of
 * the canary's stream (serverless.yml), so the check never triggers itself.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PathChangeStore, PathChangeTrigger } from '../canary-ports.js';
import type { PathChangeCheck } from '../domain/path-change.js';

export class DynamoDbPathChangeStore implements PathChangeStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** One UpdateItem, conditional on the item still holding `trigger.version`. @throws on any other failure. */
  async attachCheck(trigger: PathChangeTrigger, check: PathChangeCheck): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `FINDING#${trigger.fingerprint}`, sk: 'META' },
          UpdateExpression: 'SET pathCheck = :check',
          ConditionExpression: '#body = :version',
          ExpressionAttributeNames: { '#body': 'body' },
          ExpressionAttributeValues: { ':check': JSON.stringify(check), ':version': trigger.version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The check attached to a finding (strongly consistent), or undefined when none is (yet). */
  async loadCheck(fingerprint: string): Promise<PathChangeCheck | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `FINDING#${fingerprint}`, sk: 'META' },
        ProjectionExpression: 'pathCheck',
        ConsistentRead: true,
      }),
    );
    const text = out.Item?.pathCheck;
    return typeof text === 'string' ? (JSON.parse(text) as PathChangeCheck) : undefined;
  }
}
