/**
 * Serves one lab emulator on 127.0.0.1 (random port) so the official SDK clients can talk to it in
 * integration tests, with the edge's own request parsing and response writing.
 */
import { listen, readLabRequest, writeLabResponse } from '../../lab/edge.js';
import type { Emulator } from '../../lab/emulators/http.js';

export interface ServedEmulator {
  /** e.g. http://127.0.0.1:54321 — pass as the SDK client's `endpoint`. */
  endpoint: string;
  close(): Promise<void>;
}

export async function serveEmulator(emulator: Emulator): Promise<ServedEmulator> {
  const server = await listen(async (req, res) => writeLabResponse(res, await emulator(await readLabRequest(req))));
  return { endpoint: server.url, close: () => server.close() };
}
