/**
 * The field notes' test app: `GET /fetch?url=<url>` makes an outbound HTTP request from inside the MicroVM
 * and answers `{"status":<code>,"body":"<text>"}`, or an error with 504 (timeout) / 502 (refused, dns).
 */
import { jsonResponse, type LabRequest, type LabResponse } from './http.js';
import type { MicrovmContext } from './microvm-apps.js';

const FAILURE_RESPONSES = {
  timeout: { status: 504, error: 'timeout' },
  refused: { status: 502, error: 'connection refused' },
  dns: { status: 502, error: 'dns' },
} as const;

export async function egressTestApp(req: LabRequest, vm: MicrovmContext): Promise<LabResponse> {
  if (req.method === 'GET' && req.path === '/') {
    return jsonResponse(200, { status: 'ok', microvmId: vm.microvm.microvmId });
  }
  if (req.method !== 'GET' || req.path !== '/fetch') return jsonResponse(404, { error: 'not found' });
  const target = parseTarget(req.query.get('url'));
  if (!target) return jsonResponse(400, { error: 'url must be an absolute http(s) URL' });
  const outcome = vm.connect({ host: target.hostname, port: target.port, protocol: 'tcp' });
  if (outcome.reachable) return jsonResponse(200, { status: outcome.responseStatus, body: outcome.responseBody });
  const failure = FAILURE_RESPONSES[outcome.failure];
  return jsonResponse(failure.status, { error: failure.error });
}

function parseTarget(raw: string | null): { hostname: string; port: number } | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // URL keeps IPv6 literals bracketed; the network world wants the bare address.
  return { hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}
