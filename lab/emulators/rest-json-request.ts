/** Request parsing shared by the REST JSON emulators; each passes the error its service would answer with. */
import type { LabRequest } from './http.js';

type InvalidInput = (message: string) => Error;

/** The request body as a JSON object (an empty body is {}). */
export function jsonObjectBody(req: LabRequest, invalid: InvalidInput): Record<string, unknown> {
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw invalid('The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('The request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** A path label as the SDKs send it: one URL-encoded segment (ARNs arrive with %3A). */
export function decodePathSegment(segment: string, invalid: InvalidInput): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalid(`Path segment is not valid URL encoding: ${segment}`);
  }
}
