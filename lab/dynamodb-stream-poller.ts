/**
 * Reads the table's stream from DynamoDB Local and hands the records to the `project` handler as a
 * DynamoDBStreamEvent, the way the Lambda event source mapping does in AWS. DynamoDB Streams' JSON 1.0
 * API is small enough to speak directly; DynamoDB Local does not check signatures.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

interface StreamShard {
  ShardId: string;
}

export class DynamoDbStreamPoller {
  private readonly iterators = new Map<string, string | null>();
  private streamArn: string | undefined;

  constructor(
    private readonly endpoint: string,
    private readonly tableName: string,
  ) {}

  /** Fetches every record written since the last call (all shards), oldest first. */
  async poll(): Promise<DynamoDBStreamEvent> {
    const streamArn = await this.streamArnOf();
    const description = (await this.call('DynamoDBStreams_20120810.DescribeStream', { StreamArn: streamArn })) as {
      StreamDescription: { Shards: StreamShard[] };
    };
    const records: DynamoDBRecord[] = [];
    for (const shard of description.StreamDescription.Shards) {
      let iterator = this.iterators.get(shard.ShardId);
      if (iterator === undefined) {
        const out = (await this.call('DynamoDBStreams_20120810.GetShardIterator', {
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        })) as { ShardIterator: string };
        iterator = out.ShardIterator;
      }
      while (iterator) {
        const page = (await this.call('DynamoDBStreams_20120810.GetRecords', {
          ShardIterator: iterator,
          Limit: 1000,
        })) as {
          Records: DynamoDBRecord[];
          NextShardIterator?: string;
        };
        records.push(...page.Records.map((r) => ({ ...r, eventSourceARN: streamArn })));
        // An open shard always returns a next iterator; stop when a page comes back empty.
        const next = page.NextShardIterator ?? null;
        if (page.Records.length === 0) {
          this.iterators.set(shard.ShardId, next ?? iterator);
          break;
        }
        iterator = next;
        this.iterators.set(shard.ShardId, next);
      }
    }
    records.sort((a, b) =>
      Number(BigInt(a.dynamodb?.SequenceNumber ?? '0') - BigInt(b.dynamodb?.SequenceNumber ?? '0')),
    );
    return { Records: records };
  }

  private async streamArnOf(): Promise<string> {
    if (this.streamArn) return this.streamArn;
    const out = (await this.call('DynamoDB_20120810.DescribeTable', { TableName: this.tableName })) as {
      Table: { LatestStreamArn?: string };
    };
    if (!out.Table.LatestStreamArn) throw new Error(`table ${this.tableName} has no stream`);
    this.streamArn = out.Table.LatestStreamArn;
    return this.streamArn;
  }

  private async call(target: string, body: unknown): Promise<unknown> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': target,
        authorization:
          'AWS4-HMAC-SHA256 Credential=lab/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=lab',
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${target} failed: ${response.status} ${text}`);
    return JSON.parse(text);
  }
}
