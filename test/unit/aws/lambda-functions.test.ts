/**
 * The Lambda functions adapter with aws-sdk-client-mock: ListFunctions with FunctionVersion=ALL over pages,
 * LastModified normalised to ISO-8601, and GetFunctionConfiguration only for VPC-attached $LATEST (state).
 */
import { GetFunctionConfigurationCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { isoOfLambdaTimestamp, SdkLambdaFunctionSource } from '../../../shared/aws/lambda-functions.js';

const vpc = (subnets: string[]) => ({ SubnetIds: subnets, SecurityGroupIds: ['sg-1'], VpcId: 'vpc-1' });

describe('Lambda functions adapter', () => {
  it('lists every version over pages and reads the state of VPC-attached $LATEST only', async () => {
    const lambda = new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const mock = mockClient(lambda);
    mock
      .on(ListFunctionsCommand, { FunctionVersion: 'ALL', Marker: undefined })
      .resolves({
        Functions: [
          {
            FunctionName: 'orders-api',
            Version: '$LATEST',
            VpcConfig: vpc(['subnet-1']),
            LastModified: '2026-07-02T08:00:00.000+0000',
          },
          { FunctionName: 'orders-api', Version: '3', VpcConfig: vpc(['subnet-1']) },
        ],
        NextMarker: 'page-2',
      })
      .on(ListFunctionsCommand, { FunctionVersion: 'ALL', Marker: 'page-2' })
      .resolves({
        Functions: [
          { FunctionName: 'plain', Version: '$LATEST', VpcConfig: { SubnetIds: [], SecurityGroupIds: [] } },
          { FunctionName: 'no-config', Version: '$LATEST' },
        ],
      });
    mock
      .on(GetFunctionConfigurationCommand, { FunctionName: 'orders-api' })
      .resolves({ State: 'Inactive', StateReasonCode: 'Idle' });

    const facts = await new SdkLambdaFunctionSource(lambda).listFunctionVpcConfigs({
      account: '111122223333',
      region: 'eu-west-1',
    });

    expect(mock.commandCalls(ListFunctionsCommand)).toHaveLength(2);
    expect(mock.commandCalls(GetFunctionConfigurationCommand).map((c) => c.args[0].input.FunctionName)).toEqual([
      'orders-api',
    ]);
    expect(facts.map((f) => [f.functionName, f.version, f.subnetIds, f.state ?? null])).toEqual([
      ['orders-api', '$LATEST', ['subnet-1'], 'Inactive'],
      ['orders-api', '3', ['subnet-1'], null],
      ['plain', '$LATEST', [], null],
      ['no-config', '$LATEST', [], null],
    ]);
    expect(facts[0]).toMatchObject({
      lastModified: '2026-07-02T08:00:00.000Z',
      stateReasonCode: 'Idle',
      vpcId: 'vpc-1',
    });
    expect(facts[2]?.securityGroupIds).toEqual([]);
    lambda.destroy();
  });

  it('normalises LastModified (Lambda writes +0000) to ISO-8601, undefined when absent or unreadable', () => {
    expect(isoOfLambdaTimestamp('2026-07-02T08:00:00.000+0000')).toBe('2026-07-02T08:00:00.000Z');
    expect(isoOfLambdaTimestamp('2026-07-02T10:00:00.000+0200')).toBe('2026-07-02T08:00:00.000Z');
    expect(isoOfLambdaTimestamp('not a time')).toBeUndefined();
    expect(isoOfLambdaTimestamp(undefined)).toBeUndefined();
  });
});
