/**
 * The MicroVM HTTPS endpoint proxy (Lambda Developer Guide, microvms-launching): a request for `<microvmId>.lambda-microvm.<region>.on.aws`
 * (or, for clients that cannot set Host, `/.lab/microvms/<microvmId>/…`) must carry a token from
 * CreateMicrovmAuthToken in X-aws-proxy-auth that is valid for this VM and the target port
 * (X-aws-proxy-port, default 8080). The request then reaches the VM's in-process app.
 */

import type { ComputeWorld } from '../world/compute.js';
import { evaluateMicrovmEgress } from '../world/compute-egress.js';
import type { NetworkWorldPort } from '../world/contracts.js';
import { type Emulator, jsonResponse, type LabRequest } from './http.js';
import { defaultMicrovmApps, type MicrovmAppRegistry } from './microvm-apps.js';

const ENDPOINT_HOST = /^([a-zA-Z0-9-]+)\.lambda-microvm\.[a-z0-9-]+\.on\.aws$/;
const LAB_PATH = /^\/\.lab\/microvms\/([a-zA-Z0-9-]+)(\/.*)?$/;
const DEFAULT_PORT = 8080;
const PROXY_HEADER_PREFIX = 'x-aws-proxy-';

export interface MicrovmProxyOptions {
  apps?: MicrovmAppRegistry;
}

/** Which MicroVM a request addresses and the path its app should see; undefined if it is not for a VM. */
export function microvmTargetOf(req: LabRequest): { microvmId: string; path: string } | undefined {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const byHost = ENDPOINT_HOST.exec(host);
  if (byHost?.[1]) return { microvmId: byHost[1], path: req.path };
  const byPath = LAB_PATH.exec(req.path);
  if (byPath?.[1]) return { microvmId: byPath[1], path: byPath[2] ?? '/' };
  return undefined;
}

export function createMicrovmProxy(
  compute: ComputeWorld,
  network: NetworkWorldPort,
  options: MicrovmProxyOptions = {},
): Emulator {
  const apps = options.apps ?? defaultMicrovmApps();
  return async (req) => {
    const target = microvmTargetOf(req);
    if (!target) return proxyError(404, 'Not a MicroVM endpoint');
    const port = parsePort(req.headers['x-aws-proxy-port']);
    if (port === undefined) return proxyError(400, 'X-aws-proxy-port must be a port number');
    const admission = compute.microvms.admitProxyRequest(target.microvmId, req.headers['x-aws-proxy-auth'], port);
    if (!admission.ok) return proxyError(admission.status, admission.message);
    const app = apps.get(admission.image.appKind);
    if (!app?.ports.includes(port)) return proxyError(502, `Nothing is listening on port ${port} in the MicroVM`);
    const forwarded = {
      ...req,
      path: target.path,
      headers: {
        ...Object.fromEntries(Object.entries(req.headers).filter(([name]) => !name.startsWith(PROXY_HEADER_PREFIX))),
        // Marks of the TLS-terminating endpoint proxy; the probe agent accepts only requests carrying them.
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '127.0.0.1',
      },
    };
    return app.handle(forwarded, {
      microvm: admission.microvm,
      imageName: admission.image.name,
      port,
      runHookPayload: admission.runHookPayload,
      connect: (destination) =>
        evaluateMicrovmEgress(compute.microvms.egressPathOf(target.microvmId), network, destination),
    });
  };
}

function parsePort(header: string | undefined): number | undefined {
  if (header === undefined) return DEFAULT_PORT;
  const port = Number(header);
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : undefined;
}

function proxyError(status: number, message: string) {
  return jsonResponse(status, { message });
}
