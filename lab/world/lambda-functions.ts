/**
 * Classic Lambda functions of the lab account, only as far as their VPC configuration goes: what
 * `ListFunctions` and `GetFunctionConfiguration` answer (Lambda API Reference,
 * https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html). Scenario `world:` switches create,
 * update, detach and delete them; the Hyperplane ENIs themselves are created and deleted through EC2 by the
 * function's execution role (invokedBy lambda.amazonaws.com), as Lambda does (docs/hyperplane-enis.md).
 */
import type { VirtualClock } from '../clock.js';

/** One version of a function: `$LATEST` or a published number. */
export interface LabFunctionVersion {
  version: string;
  subnetIds: string[];
  securityGroupIds: string[];
  vpcId: string | null;
  /** ISO-8601 (milliseconds, Z). */
  lastModified: string;
}

export interface LabFunction {
  functionName: string;
  /** `Pending | Active | Inactive | Failed` of `$LATEST`. */
  state: string;
  stateReasonCode: string | null;
  versions: Map<string, LabFunctionVersion>;
}

/** A create-or-update of one version (a `world: lambdaFunction` switch). Empty subnets = no VPC (detach). */
export interface LabFunctionInput {
  functionName: string;
  version?: string;
  subnetIds: string[];
  securityGroupIds: string[];
  vpcId: string | null;
  state?: string;
  stateReasonCode?: string;
  /** ISO-8601; default: the lab clock's now. */
  lastModified?: string;
}

/** Lambda's `LastModified` wire format: `2026-07-02T08:00:00.000+0000`. */
export function lambdaTimestamp(iso: string): string {
  return iso.replace(/Z$/, '+0000');
}

export class LambdaFunctionWorld {
  private readonly functions = new Map<string, LabFunction>();

  constructor(private readonly ctx: { clock: VirtualClock; account: string; region: string }) {}

  arnOf(functionName: string, version?: string): string {
    const base = `arn:aws:lambda:${this.ctx.region}:${this.ctx.account}:function:${functionName}`;
    return version && version !== '$LATEST' ? `${base}:${version}` : base;
  }

  /** Creates or updates one version; returns the function. */
  put(input: LabFunctionInput): LabFunction {
    const fn = this.functions.get(input.functionName) ?? {
      functionName: input.functionName,
      state: 'Active',
      stateReasonCode: null,
      versions: new Map<string, LabFunctionVersion>(),
    };
    const version = input.version ?? '$LATEST';
    fn.versions.set(version, {
      version,
      subnetIds: [...input.subnetIds],
      securityGroupIds: input.subnetIds.length ? [...input.securityGroupIds] : [],
      vpcId: input.subnetIds.length ? input.vpcId : null,
      lastModified: input.lastModified ?? this.ctx.clock.now().toISOString(),
    });
    if (version === '$LATEST') {
      fn.state = input.state ?? 'Active';
      fn.stateReasonCode = input.stateReasonCode ?? null;
    }
    this.functions.set(fn.functionName, fn);
    return fn;
  }

  /** Deletes a function and all its versions; false when there was none. */
  remove(functionName: string): boolean {
    return this.functions.delete(functionName);
  }

  get(functionName: string): LabFunction | undefined {
    return this.functions.get(functionName);
  }

  /** Every function, sorted by name. */
  all(): LabFunction[] {
    return [...this.functions.values()].sort((a, b) => a.functionName.localeCompare(b.functionName));
  }
}
