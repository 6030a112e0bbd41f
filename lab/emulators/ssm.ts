/**
 * SSM Parameter Store `GetParameter` over JSON 1.1 (`X-Amz-Target: AmazonSSM.GetParameter`): the notifier's
 * Powertools parameters provider reads the Slack secret from the lab unchanged. SecureString values are only
 * returned with `WithDecryption: true` (otherwise the "ciphertext" placeholder, as SSM returns ciphertext).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Emulator, LabResponse } from './http.js';

export interface LabParameter {
  type: 'String' | 'SecureString';
  value: string;
  version: number;
  lastModified: Date;
}

export type SsmEmulator = Emulator & {
  putParameter(name: string, value: string, type?: LabParameter['type']): void;
  /** Names of parameters read, in order (never the values). */
  readonly reads: string[];
};

function json11(status: number, body: unknown, requestId = randomUUID()): LabResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify(body),
  };
}

export function createSsmEmulator(options: { account: string; region: string; clock?: Clock }): SsmEmulator {
  const parameters = new Map<string, LabParameter>();
  const reads: string[] = [];
  const emulator: Emulator = async (req) => {
    const target = req.headers['x-amz-target'] ?? '';
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return json11(400, { __type: 'SerializationException', message: 'body is not JSON' });
    }
    if (target !== 'AmazonSSM.GetParameter') {
      return json11(400, {
        __type: 'UnknownOperationException',
        message: `The lab's SSM only implements GetParameter, not ${target}`,
      });
    }
    const name = String(input.Name ?? '');
    reads.push(name);
    const parameter = parameters.get(name);
    if (!parameter) return json11(400, { __type: 'ParameterNotFound', message: `Parameter ${name} not found.` });
    const decrypt = input.WithDecryption === true;
    const value = parameter.type === 'SecureString' && !decrypt ? `ciphertext:${name}` : parameter.value;
    return json11(200, {
      Parameter: {
        Name: name,
        Type: parameter.type,
        Value: value,
        Version: parameter.version,
        LastModifiedDate: parameter.lastModified.getTime() / 1000,
        ARN: `arn:aws:ssm:${options.region}:${options.account}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
        DataType: 'text',
      },
    });
  };
  return Object.assign(emulator, {
    reads,
    putParameter(name: string, value: string, type: LabParameter['type'] = 'SecureString'): void {
      const version = (parameters.get(name)?.version ?? 0) + 1;
      parameters.set(name, { type, value, version, lastModified: options.clock?.now() ?? new Date() });
    },
  });
}
