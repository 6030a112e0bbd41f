/**
 * The request/response shape every lab emulator handles. The edge server (lab/edge.ts) parses each HTTP
 * request once into a LabRequest and routes it to one emulator by SigV4 service, target header and path.
 */
export interface LabRequest {
  method: string;
  /** Path without the query string, e.g. /2026-04-04/network-connectors */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface LabResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Emulator = (req: LabRequest) => Promise<LabResponse>;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): LabResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}
