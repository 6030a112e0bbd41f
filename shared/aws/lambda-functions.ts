/**
 * LambdaFunctionSource over the official @aws-sdk/client-lambda (read-only): every function version with
 * its `VpcConfig` from `ListFunctions` (`FunctionVersion=ALL`, paginated), and the state of each
 * VPC-attached `$LATEST` from `GetFunctionConfiguration`, because ListFunctions does not return `State`
 * (Lambda API Reference, https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html). See
 * docs/hyperplane-enis.md.
 */
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  paginateListFunctions,
} from '@aws-sdk/client-lambda';
import type { LambdaFunctionVpcFact } from '../domain/network-facts.js';
import type { LambdaFunctionSource } from '../network-ports.js';
import type { Scope } from '../ports.js';
import { type Ec2ClientSettings, readClientConfig } from './ec2-network-facts.js';

/** Lambda writes `LastModified` as `2026-07-02T08:00:00.000+0000`; kept as ISO-8601 with `Z`. */
export function isoOfLambdaTimestamp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** One ListFunctions item as a fact (no state: ListFunctions does not return it). */
export function lambdaFunctionFact(f: FunctionConfiguration): LambdaFunctionVpcFact {
  const lastModified = isoOfLambdaTimestamp(f.LastModified);
  const subnetIds = f.VpcConfig?.SubnetIds ?? [];
  return {
    functionName: f.FunctionName ?? '',
    functionArn: f.FunctionArn ?? '',
    version: f.Version ?? '$LATEST',
    subnetIds,
    securityGroupIds: subnetIds.length ? (f.VpcConfig?.SecurityGroupIds ?? []) : [],
    ...(f.VpcConfig?.VpcId ? { vpcId: f.VpcConfig.VpcId } : {}),
    ...(lastModified ? { lastModified } : {}),
  };
}

export interface LambdaFunctionsOptions {
  /** MaxItems per ListFunctions page (1–50; default 50). */
  pageSize?: number;
  /** GetFunctionConfiguration calls in flight at once (default 4). */
  concurrency?: number;
}

/** A Lambda client for reads: adaptive retries (throttling backs off), explicit time-outs. */
export function createLambdaClient(settings: Ec2ClientSettings): LambdaClient {
  return new LambdaClient(readClientConfig(settings));
}

export class SdkLambdaFunctionSource implements LambdaFunctionSource {
  constructor(
    private readonly client: LambdaClient,
    private readonly options: LambdaFunctionsOptions = {},
  ) {}

  /** Every function version (VPC-attached or not), with the state of VPC-attached `$LATEST`s. */
  async listFunctionVpcConfigs(_scope: Scope): Promise<LambdaFunctionVpcFact[]> {
    const facts: LambdaFunctionVpcFact[] = [];
    const pages = paginateListFunctions(
      { client: this.client, pageSize: this.options.pageSize ?? 50 },
      { FunctionVersion: 'ALL' },
    );
    for await (const page of pages) for (const f of page.Functions ?? []) facts.push(lambdaFunctionFact(f));
    const attached = facts.filter((f) => f.version === '$LATEST' && f.subnetIds.length > 0);
    const concurrency = Math.max(1, this.options.concurrency ?? 4);
    for (let i = 0; i < attached.length; i += concurrency) {
      await Promise.all(
        attached.slice(i, i + concurrency).map(async (fact) => {
          const c = await this.client.send(new GetFunctionConfigurationCommand({ FunctionName: fact.functionName }));
          if (c.State) fact.state = c.State;
          if (c.StateReasonCode) fact.stateReasonCode = c.StateReasonCode;
        }),
      );
    }
    return facts;
  }
}
