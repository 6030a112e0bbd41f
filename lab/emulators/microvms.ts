/**
 * Lambda MicroVMs over REST JSON (API model lambda-microvms/2025-09-09), so the official @aws-sdk/client-lambda-microvms runs
 * unchanged against the lab. camelCase members, timestamps as epoch seconds, errors as restJson1
 * (X-Amzn-ErrorType header, `message` plus the exception's own members in the body).
 */
import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '../trail/record.js';
import type { ComputeWorld } from '../world/compute.js';
import { ComputeApiError, validationError } from '../world/compute-errors.js';
import type { MicrovmImage } from '../world/compute-microvms.js';
import { type Emulator, jsonResponse, type LabRequest, type LabResponse } from './http.js';
import { decodePathSegment, jsonObjectBody } from './rest-json-request.js';

const PAGE_LIMIT = 50;

export interface MicrovmsEmulatorOptions {
  callerFor: (req: LabRequest) => CallerIdentity;
}

type Route = (req: LabRequest, params: string[]) => unknown;

export function createMicrovmsEmulator(compute: ComputeWorld, options: MicrovmsEmulatorOptions): Emulator {
  const { microvms } = compute;
  const microvm = '/2025-09-09/microvms/([^/]+)';
  const routes: Array<{ method: string; pattern: RegExp; handle: Route }> = [
    {
      method: 'POST',
      pattern: /^\/2025-09-09\/microvms$/,
      handle: (req) => microvms.run(jsonObjectBody(req, validationError), options.callerFor(req)),
    },
    {
      method: 'GET',
      pattern: /^\/2025-09-09\/microvms$/,
      handle: (req) =>
        paginate(microvms.list(req.query.get('imageIdentifier') ?? undefined), req.query, (vm) => vm.microvmId),
    },
    { method: 'GET', pattern: new RegExp(`^${microvm}$`), handle: (_req, [id]) => microvms.get(id!) },
    {
      method: 'DELETE',
      pattern: new RegExp(`^${microvm}$`),
      handle: (req, [id]) => microvms.terminate(id!, options.callerFor(req)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${microvm}/suspend$`),
      handle: (req, [id]) => microvms.suspend(id!, options.callerFor(req)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${microvm}/resume$`),
      handle: (req, [id]) => microvms.resume(id!, options.callerFor(req)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${microvm}/auth-token$`),
      handle: (req, [id]) => microvms.createAuthToken(id!, jsonObjectBody(req, validationError)),
    },
    {
      method: 'GET',
      pattern: /^\/2025-09-09\/microvm-images$/,
      handle: (req) =>
        paginate(
          microvms.listImages(req.query.get('nameFilter') ?? undefined).map(imageSummary),
          req.query,
          (i) => i.imageArn,
        ),
    },
    {
      method: 'GET',
      pattern: /^\/2025-09-09\/microvm-images\/([^/]+)$/,
      handle: (_req, [id]) => imageSummary(microvms.getImage(id!)),
    },
  ];

  return async (req) => {
    const requestId = randomUUID();
    try {
      for (const route of routes) {
        const match = route.pattern.exec(req.path);
        if (!match || route.method !== req.method) continue;
        const params = match.slice(1).map((segment) => decodePathSegment(segment, validationError));
        return jsonResponse(200, toWire(route.handle(req, params)), { 'x-amzn-requestid': requestId });
      }
      return errorResponse(
        new ComputeApiError('UnknownOperationException', 404, `No MicroVMs operation for ${req.method} ${req.path}`),
        requestId,
      );
    } catch (error) {
      if (error instanceof ComputeApiError) return errorResponse(error, requestId);
      return errorResponse(new ComputeApiError('InternalServerException', 500, 'The lab failed internally'), requestId);
    }
  };
}

function imageSummary(image: MicrovmImage) {
  return {
    imageArn: image.imageArn,
    name: image.name,
    state: image.state,
    latestActiveImageVersion: image.latestActiveImageVersion,
    createdAt: image.createdAt,
  };
}

/** `items` + `nextToken` (the key of the next item, so the token survives new items being added). */
function paginate<T>(all: T[], query: URLSearchParams, keyOf: (item: T) => string): { items: T[]; nextToken?: string } {
  const maxText = query.get('maxResults');
  const max = maxText === null ? PAGE_LIMIT : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > PAGE_LIMIT) {
    throw validationError(`maxResults must be an integer from 1 to ${PAGE_LIMIT}`);
  }
  const token = query.get('nextToken');
  let start = 0;
  if (token !== null) {
    const key = Buffer.from(token, 'base64url').toString('utf8');
    start = all.findIndex((item) => keyOf(item) === key);
    if (start < 0) throw validationError('nextToken is not valid for this listing');
  }
  const items = all.slice(start, start + max);
  const next = all[start + items.length];
  return next === undefined ? { items } : { items, nextToken: Buffer.from(keyOf(next), 'utf8').toString('base64url') };
}

/** restJson1 default timestamp format: epoch seconds. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, toWire(member)]));
  }
  return value;
}

function errorResponse(error: ComputeApiError, requestId: string): LabResponse {
  return jsonResponse(
    error.status,
    { message: error.message, ...error.fields },
    { 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId },
  );
}
