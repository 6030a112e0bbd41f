/**
 * Classic Lambda `ListFunctions` and `GetFunctionConfiguration` over REST JSON (Lambda API model
 * `lambda/2015-03-31`), enough for the official @aws-sdk/client-lambda to read functions' VPC
 * configurations from the lab (docs/hyperplane-enis.md). ListFunctions pages with `Marker`/`MaxItems`
 * (at most 50 per page) and, as in AWS, does not return `State`: GetFunctionConfiguration does.
 */
import { randomUUID } from 'node:crypto';
import type { LabFunction, LabFunctionVersion, LambdaFunctionWorld } from '../world/lambda-functions.js';
import { lambdaTimestamp } from '../world/lambda-functions.js';
import { type Emulator, jsonResponse, type LabResponse } from './http.js';
import { decodePathSegment } from './rest-json-request.js';

export const LAMBDA_FUNCTIONS_PATH_PREFIX = '/2015-03-31/functions';
const PAGE_CAP = 50;

class LambdaApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new LambdaApiError('InvalidParameterValueException', 400, message);

/** The emulator of the `/2015-03-31/functions` routes (GET only: the lab's functions change through scenarios). */
export function createLambdaFunctionsEmulator(functions: LambdaFunctionWorld): Emulator {
  return async (req) => {
    const requestId = randomUUID();
    const headers = { 'x-amzn-requestid': requestId };
    try {
      const rest = req.path.slice(LAMBDA_FUNCTIONS_PATH_PREFIX.length).replace(/^\//, '');
      if (req.method === 'GET' && rest === '') return jsonResponse(200, listPage(functions, req.query), headers);
      const match = /^([^/]+)\/configuration\/?$/.exec(rest);
      if (req.method === 'GET' && match?.[1]) {
        const name = nameOf(decodePathSegment(match[1], invalid));
        const fn = functions.get(name);
        const version = fn?.versions.get(req.query.get('Qualifier') ?? '$LATEST');
        if (!fn || !version) {
          throw new LambdaApiError('ResourceNotFoundException', 404, `Function not found: ${functions.arnOf(name)}`);
        }
        return jsonResponse(200, { ...configuration(functions, fn, version), ...stateOf(fn, version) }, headers);
      }
      throw new LambdaApiError('UnknownOperationException', 404, `No Lambda operation for ${req.method} ${req.path}`);
    } catch (error) {
      const e =
        error instanceof LambdaApiError
          ? error
          : new LambdaApiError('ServiceException', 500, 'The lab failed internally');
      return errorResponse(e, requestId);
    }
  };
}

/** A function name, partial ARN or ARN → the name. */
function nameOf(identifier: string): string {
  const arn = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)/.exec(identifier);
  return arn?.[1] ?? identifier.split(':')[0] ?? identifier;
}

function configuration(world: LambdaFunctionWorld, fn: LabFunction, v: LabFunctionVersion): Record<string, unknown> {
  return {
    FunctionName: fn.functionName,
    FunctionArn: world.arnOf(fn.functionName, v.version),
    Version: v.version,
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    LastModified: lambdaTimestamp(v.lastModified),
    VpcConfig: {
      SubnetIds: v.subnetIds,
      SecurityGroupIds: v.securityGroupIds,
      ...(v.vpcId ? { VpcId: v.vpcId } : {}),
      Ipv6AllowedForDualStack: false,
    },
  };
}

function stateOf(fn: LabFunction, v: LabFunctionVersion): Record<string, unknown> {
  if (v.version !== '$LATEST') return { State: 'Active', LastUpdateStatus: 'Successful' };
  return {
    State: fn.state,
    ...(fn.stateReasonCode ? { StateReasonCode: fn.stateReasonCode } : {}),
    LastUpdateStatus: 'Successful',
  };
}

function listPage(world: LambdaFunctionWorld, query: URLSearchParams): Record<string, unknown> {
  const allVersions = query.get('FunctionVersion') === 'ALL';
  if (query.get('FunctionVersion') !== null && !allVersions) throw invalid('FunctionVersion must be ALL');
  const maxItemsText = query.get('MaxItems');
  const maxItems = maxItemsText === null ? PAGE_CAP : Number(maxItemsText);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
    throw invalid('MaxItems must be an integer from 1 to 10000');
  }
  const all = world
    .all()
    .flatMap((fn) =>
      [...fn.versions.values()]
        .filter((v) => allVersions || v.version === '$LATEST')
        .map((v) => configuration(world, fn, v)),
    );
  const marker = query.get('Marker');
  const start = marker === null ? 0 : Number(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > all.length) throw invalid('Marker is not valid');
  const page = all.slice(start, start + Math.min(maxItems, PAGE_CAP));
  const next = start + page.length;
  return {
    Functions: page,
    ...(next < all.length ? { NextMarker: Buffer.from(String(next), 'utf8').toString('base64url') } : {}),
  };
}

function errorResponse(error: LambdaApiError, requestId: string): LabResponse {
  return jsonResponse(
    error.status,
    { Type: error.status >= 500 ? 'Service' : 'User', message: error.message },
    { 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId },
  );
}
