/**
 * Builds the CloudTrail records the lab writes for every API call, in the shape AWS writes them
 * (CloudTrail User Guide, "CloudTrail record contents"; the fixtures in events/ show each shape). The lab keeps these independent from shared/domain.
 */
import { randomUUID } from 'node:crypto';

export type CallerIdentity =
  | {
      kind: 'user';
      account: string;
      userName: string;
      sourceIp?: string;
      userAgent?: string;
    }
  | {
      /** An assumed-role session, optionally invoked by a service on the customer's behalf. */
      kind: 'assumed-role';
      account: string;
      roleName: string;
      sessionName: string;
      roleId?: string;
      invokedBy?: string;
      sourceIp?: string;
      userAgent?: string;
      /** Service-linked roles live under /aws-service-role/<service>/ */
      rolePath?: string;
    }
  | { kind: 'aws-service'; invokedBy: string };

export interface CloudTrailRecord {
  eventVersion: string;
  userIdentity: Record<string, unknown>;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources: unknown[];
  eventType: string;
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: 'Management' | 'Data';
  [extra: string]: unknown;
}

export interface RecordInput {
  time: Date;
  account: string;
  region: string;
  caller: CallerIdentity;
  eventSource: string;
  eventName: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  readOnly?: boolean;
  eventCategory?: 'Management' | 'Data';
  requestId?: string;
}

/** ISO-8601 without milliseconds, as CloudTrail writes eventTime. */
export function cloudTrailTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function userIdentity(caller: CallerIdentity, time: Date): Record<string, unknown> {
  switch (caller.kind) {
    case 'user':
      return {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEUSERID0001',
        arn: `arn:aws:iam::${caller.account}:user/${caller.userName}`,
        accountId: caller.account,
        accessKeyId: 'ASIAEXAMPLEUSERKEY01',
        userName: caller.userName,
      };
    case 'assumed-role': {
      const roleId = caller.roleId ?? 'AROAEXAMPLEROLEID0001';
      const path = caller.rolePath ?? '/';
      const identity: Record<string, unknown> = {
        type: 'AssumedRole',
        principalId: `${roleId}:${caller.sessionName}`,
        arn: `arn:aws:sts::${caller.account}:assumed-role/${caller.roleName}/${caller.sessionName}`,
        accountId: caller.account,
        accessKeyId: 'ASIAEXAMPLEACCESSKEY',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: roleId,
            arn: `arn:aws:iam::${caller.account}:role${path}${caller.roleName}`,
            accountId: caller.account,
            userName: caller.roleName,
          },
          webIdFederationData: {},
          attributes: { creationDate: cloudTrailTime(time), mfaAuthenticated: 'false' },
        },
      };
      if (caller.invokedBy) identity.invokedBy = caller.invokedBy;
      return identity;
    }
    case 'aws-service':
      return { type: 'AWSService', invokedBy: caller.invokedBy };
  }
}

function sourceOf(caller: CallerIdentity): { ip: string; agent: string } {
  if (caller.kind === 'aws-service') return { ip: caller.invokedBy, agent: caller.invokedBy };
  if (caller.kind === 'assumed-role' && caller.invokedBy) {
    return { ip: caller.invokedBy, agent: caller.invokedBy };
  }
  return {
    ip: caller.sourceIp ?? '203.0.113.10',
    agent: caller.userAgent ?? 'aws-cli/2.27.0 md/awscrt#0.26.1 ua/2.1 os/linux',
  };
}

export function buildCloudTrailRecord(input: RecordInput): CloudTrailRecord {
  const source = sourceOf(input.caller);
  const record: CloudTrailRecord = {
    eventVersion: '1.11',
    userIdentity: userIdentity(input.caller, input.time),
    eventTime: cloudTrailTime(input.time),
    eventSource: input.eventSource,
    eventName: input.eventName,
    awsRegion: input.region,
    sourceIPAddress: source.ip,
    userAgent: source.agent,
    requestParameters: input.requestParameters,
    responseElements: input.errorCode ? null : input.responseElements,
    requestID: input.requestId ?? randomUUID(),
    eventID: randomUUID(),
    readOnly: input.readOnly ?? false,
    resources: [],
    eventType: 'AwsApiCall',
    managementEvent: (input.eventCategory ?? 'Management') === 'Management',
    recipientAccountId: input.account,
    eventCategory: input.eventCategory ?? 'Management',
  };
  if (input.errorCode) {
    record.errorCode = input.errorCode;
    if (input.errorMessage) record.errorMessage = input.errorMessage;
  }
  return record;
}

/** Where the lab sends each record: the LookupEvents store and the EventBridge bus. */
export interface TrailSink {
  emit(record: CloudTrailRecord): void;
}
