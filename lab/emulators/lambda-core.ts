/**
 * Lambda Core (network connectors) over REST JSON, so the production LambdaCoreClient runs unchanged
 * against the lab: routes, status codes and errors of the Lambda Core API model lambda-core/2026-04-30 (X-Amzn-ErrorType header plus
 * a body whose message member is `message` or `Message` depending on the exception, as the model has it).
 */
import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '../trail/record.js';
import type { ComputeWorld } from '../world/compute.js';
import { CONNECTOR_STATES } from '../world/compute-connectors.js';
import { ComputeApiError, invalidParameter } from '../world/compute-errors.js';
import { type Emulator, jsonResponse, type LabRequest, type LabResponse } from './http.js';
import { decodePathSegment, jsonObjectBody } from './rest-json-request.js';

export const LAMBDA_CORE_PATH_PREFIX = '/2026-04-04/network-connectors';
/** The response list shape is capped at 50 even though MaxItems admits 100. */
const PAGE_CAP = 50;
const MAX_ITEMS_LIMIT = 100;
const CAPITAL_MESSAGE_ERRORS = new Set(['ResourceNotFoundException', 'ServiceException']);

export interface LambdaCoreEmulatorOptions {
  /** Who made the call, for the CloudTrail record (e.g. derived from the SigV4 access key). */
  callerFor: (req: LabRequest) => CallerIdentity;
}

export function createLambdaCoreEmulator(compute: ComputeWorld, options: LambdaCoreEmulatorOptions): Emulator {
  const connectors = compute.connectors;
  return async (req) => {
    const requestId = randomUUID();
    const headers = { 'x-amzn-requestid': requestId };
    try {
      const identifier = identifierOf(req.path);
      if (identifier === undefined) {
        if (req.method === 'POST') {
          return jsonResponse(
            202,
            connectors.create(jsonObjectBody(req, invalidParameter), options.callerFor(req)),
            headers,
          );
        }
        if (req.method === 'GET') return jsonResponse(200, listPage(compute, req.query), headers);
      } else {
        switch (req.method) {
          case 'GET':
            return jsonResponse(200, connectors.get(identifier), headers);
          case 'PUT':
            return jsonResponse(
              202,
              connectors.update(identifier, jsonObjectBody(req, invalidParameter), options.callerFor(req)),
              headers,
            );
          case 'DELETE':
            return jsonResponse(202, connectors.delete(identifier, options.callerFor(req)), headers);
        }
      }
      return errorResponse(
        new ComputeApiError('UnknownOperationException', 404, `No Lambda Core operation for ${req.method} ${req.path}`),
        requestId,
      );
    } catch (error) {
      if (error instanceof ComputeApiError) return errorResponse(error, requestId);
      return errorResponse(new ComputeApiError('ServiceException', 500, 'The lab failed internally'), requestId);
    }
  };
}

/** The decoded {Identifier} segment, undefined for the collection path; throws for foreign paths. */
function identifierOf(path: string): string | undefined {
  if (path === LAMBDA_CORE_PATH_PREFIX || path === `${LAMBDA_CORE_PATH_PREFIX}/`) return undefined;
  const rest = path.startsWith(`${LAMBDA_CORE_PATH_PREFIX}/`) ? path.slice(LAMBDA_CORE_PATH_PREFIX.length + 1) : '';
  if (rest === '' || rest.includes('/')) {
    throw new ComputeApiError('UnknownOperationException', 404, `No Lambda Core operation at ${path}`);
  }
  const identifier = decodePathSegment(rest, invalidParameter);
  if (identifier.length > 140) throw invalidParameter('Identifier must be at most 140 characters');
  return identifier;
}

function listPage(compute: ComputeWorld, query: URLSearchParams): Record<string, unknown> {
  const state = query.get('State') ?? undefined;
  if (state !== undefined && !(CONNECTOR_STATES as readonly string[]).includes(state)) {
    throw invalidParameter(`State must be one of ${CONNECTOR_STATES.join(', ')}`);
  }
  const maxItemsText = query.get('MaxItems');
  const maxItems = maxItemsText === null ? PAGE_CAP : Number(maxItemsText);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_ITEMS_LIMIT) {
    throw invalidParameter(`MaxItems must be an integer from 1 to ${MAX_ITEMS_LIMIT}`);
  }
  const all = compute.connectors.list(state);
  const marker = query.get('Marker');
  let start = 0;
  if (marker !== null) {
    // The marker names the first connector of the next page, so deletions between pages skip nothing.
    const nextId = Buffer.from(marker, 'base64url').toString('utf8');
    start = all.findIndex((c) => c.Id === nextId);
    if (start < 0) throw invalidParameter('Marker is not valid for this listing');
  }
  const page = all.slice(start, start + Math.min(maxItems, PAGE_CAP));
  const next = all[start + page.length];
  return {
    NetworkConnectors: page,
    ...(next ? { NextMarker: Buffer.from(next.Id, 'utf8').toString('base64url') } : {}),
  };
}

function errorResponse(error: ComputeApiError, requestId: string): LabResponse {
  const messageKey = CAPITAL_MESSAGE_ERRORS.has(error.code) ? 'Message' : 'message';
  return jsonResponse(
    error.status,
    { Type: error.status >= 500 ? 'Service' : 'User', [messageKey]: error.message },
    { 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId },
  );
}
