/**
 * The single DynamoDB table (docs/architecture.md#state-model). serverless.yml declares the same keys, index, stream and TTL; the
 * local tools create it from here (a unit test keeps the two in step).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const SCOPE_INDEX = 'gsi1';

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: SCOPE_INDEX,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    // The projector follows new log items (keys are enough); the notifier reads finding status changes from
    // the old and new images (docs/alerts.md).
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

export const TTL_ATTRIBUTE = 'ttl';
