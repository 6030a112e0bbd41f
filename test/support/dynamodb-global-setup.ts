import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lab/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

/** One DynamoDB Local JVM for the whole integration run; each test file creates its own table. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.EGRESS_WATCH_DYNAMODB_ENDPOINT;
  if (external) {
    project.provide('dynamodbEndpoint', external);
    return async () => {};
  }
  const ddb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', ddb.endpoint);
  return () => ddb.stop();
}
