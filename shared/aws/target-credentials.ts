/**
 * Client settings for one monitoring target (docs/organizations.md#targets): the target's region, and for a
 * member account the temporary credentials of its read-only role, from `sts:AssumeRole` through the official
 * `fromTemporaryCredentials` provider (refreshed by the SDK before they expire). The central account's own
 * targets (no `roleArn`) use the function's credentials unchanged.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { MonitorTarget } from '../domain/targets.js';
import type { AwsClientSettings } from '../runtime.js';

/** What an SDK client of the target is built with. */
export interface TargetClientSettings {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** Role session name: CloudTrail of the member account shows egress-watch's reads under it. */
export const TARGET_SESSION_NAME = 'egress-watch';

/** Session length asked of STS, seconds (the member template's role allows up to 3,600). */
const SESSION_SECONDS = 900;

/**
 * Settings for the target's clients. With a `roleArn`, credentials are assumed on first use; a missing role
 * or a denied `sts:AssumeRole` surfaces as the SDK's `AccessDenied` error on the first call of the client.
 * STS is called in the target's region (regional STS endpoint) with `base`'s endpoint and credentials.
 */
export function targetClientSettings(target: MonitorTarget, base: AwsClientSettings): TargetClientSettings {
  const endpoint = base.endpoint ? { endpoint: base.endpoint } : {};
  if (target.roleArn === null) {
    return { region: target.region, ...endpoint, ...(base.credentials ? { credentials: base.credentials } : {}) };
  }
  return {
    region: target.region,
    ...endpoint,
    credentials: fromTemporaryCredentials({
      params: {
        RoleArn: target.roleArn,
        RoleSessionName: TARGET_SESSION_NAME,
        DurationSeconds: SESSION_SECONDS,
        ...(target.externalId ? { ExternalId: target.externalId } : {}),
      },
      ...(base.credentials ? { masterCredentials: base.credentials } : {}),
      clientConfig: { region: target.region, ...endpoint },
    }),
  };
}
