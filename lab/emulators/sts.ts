/**
 * STS `AssumeRole` over the query protocol (form body in, XML out, Version 2011-06-15), so the central
 * functions reach member accounts exactly as in AWS: the official credential provider
 * (`fromTemporaryCredentials`) calls it, and the temporary access key it hands out makes the caller the
 * assumed role in the member account (the edge routes that caller to the member's world). Roles are declared
 * by the scenario (docs/lab.md#organizations); an unknown role, a caller from an untrusted account or a wrong
 * external id get `AccessDenied`, as AWS answers them (STS API reference, AssumeRole, Errors).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CallerRegistry } from '../edge.js';
import type { CallerIdentity } from '../trail/record.js';
import type { Emulator, LabRequest, LabResponse } from './http.js';
import { QueryProtocolError, queryErrorResponse, xmlResponse } from './query-protocol.js';
import { element, type Xml, xmlDocument } from './xml.js';

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** A role the lab's STS lets callers assume. */
export interface LabRoleSpec {
  /** `arn:aws:iam::<account>:role/<name>`. */
  arn: string;
  /** The account whose principals the trust policy allows (the central monitoring account). */
  trustedAccount: string;
  /** The `sts:ExternalId` the trust policy requires; absent: none. */
  externalId?: string;
}

/** One AssumeRole the lab answered (granted or refused). */
export interface AssumeRoleRecord {
  roleArn: string;
  callerAccount: string;
  granted: boolean;
  /** Refusal reason (AccessDenied message); absent when granted. */
  reason?: string;
}

export type StsEmulator = Emulator & {
  /** Every AssumeRole call, in order. */
  readonly calls: AssumeRoleRecord[];
};

export interface StsEmulatorOptions {
  roles: readonly LabRoleSpec[];
  /** Where issued access keys are registered (as the assumed role), and how callers are recognised. */
  callers: CallerRegistry;
  callerOf(req: LabRequest): CallerIdentity;
}

const StsError = QueryProtocolError;

type AccountCaller = Exclude<CallerIdentity, { kind: 'aws-service' }>;

function callerArn(caller: AccountCaller): string {
  return caller.kind === 'assumed-role'
    ? `arn:aws:sts::${caller.account}:assumed-role/${caller.roleName}/${caller.sessionName}`
    : `arn:aws:iam::${caller.account}:user/${caller.userName}`;
}

/** The lab's STS: AssumeRole only (other actions answer InvalidAction). */
export function createStsEmulator(options: StsEmulatorOptions): StsEmulator {
  const roles = new Map(options.roles.map((r) => [r.arn, r]));
  const calls: AssumeRoleRecord[] = [];

  const assumeRole = (form: URLSearchParams, identity: CallerIdentity): Xml => {
    if (identity.kind === 'aws-service') throw new StsError(403, 'AccessDenied', 'services do not assume roles here');
    const caller = identity;
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    const duration = Number(form.get('DurationSeconds') ?? 3600);
    if (!ROLE_ARN.test(roleArn)) throw new StsError(400, 'ValidationError', `Invalid RoleArn: ${roleArn}`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new StsError(400, 'ValidationError', 'RoleSessionName must be 2-64 characters of [\\w+=,.@-]');
    }
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      throw new StsError(400, 'ValidationError', 'DurationSeconds must be between 900 and 43200');
    }
    const role = roles.get(roleArn);
    const denied = `User: ${callerArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
    const refuse = (reason: string): never => {
      calls.push({ roleArn, callerAccount: caller.account, granted: false, reason });
      throw new StsError(403, 'AccessDenied', denied);
    };
    if (!role) refuse('no such role');
    if (role && role.trustedAccount !== caller.account) refuse(`account ${caller.account} is not trusted`);
    if (role?.externalId !== undefined && form.get('ExternalId') !== role.externalId) refuse('external id mismatch');
    const [, account, roleName] = ROLE_ARN.exec(roleArn) as unknown as [string, string, string];
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    options.callers.register(accessKeyId, { kind: 'assumed-role', account, roleName, sessionName });
    calls.push({ roleArn, callerAccount: caller.account, granted: true });
    const roleId = `AROA${randomBytes(8).toString('hex').toUpperCase()}`;
    // Expiration in wall-clock time: the SDK's credential cache compares it with Date.now(), not lab time.
    const expiration = new Date(Date.now() + duration * 1000).toISOString();
    return element('AssumeRoleResult', [
      element('AssumedRoleUser', [
        element('AssumedRoleId', `${roleId}:${sessionName}`),
        element('Arn', `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`),
      ]),
      element('Credentials', [
        element('AccessKeyId', accessKeyId),
        element('SecretAccessKey', randomBytes(20).toString('base64')),
        element('SessionToken', randomBytes(48).toString('base64')),
        element('Expiration', expiration),
      ]),
    ]);
  };

  const emulator = async (req: LabRequest): Promise<LabResponse> => {
    const requestId = randomUUID();
    const form = new URLSearchParams(req.body.toString('utf8'));
    for (const [key, value] of req.query) if (!form.has(key)) form.set(key, value);
    const action = form.get('Action') ?? '';
    try {
      if (action !== 'AssumeRole') throw new StsError(400, 'InvalidAction', `The lab's STS does not serve ${action}`);
      const result = assumeRole(form, options.callerOf(req));
      const body = element(
        'AssumeRoleResponse',
        [result, element('ResponseMetadata', element('RequestId', requestId))],
        {
          xmlns: STS_NAMESPACE,
        },
      );
      return xmlResponse(200, xmlDocument(body), requestId);
    } catch (error) {
      const e =
        error instanceof QueryProtocolError ? error : new QueryProtocolError(500, 'InternalFailure', String(error));
      return queryErrorResponse(STS_NAMESPACE, e, requestId);
    }
  };
  return Object.assign(emulator, { calls });
}
