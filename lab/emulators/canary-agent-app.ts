/**
 * The egress-watch probe agent inside lab MicroVMs: the very agent code of canary-agent/agent.ts, with its
 * one network seam answered by the lab's ground truth (the MicroVM's egress through its connector,
 * lab/world/compute-egress.ts → lab/network/reachability.ts). Nothing else differs: the agent's /run hook
 * gets the RunMicrovm runHookPayload on the VM's first request, as the real runtime calls it at start.
 */
import { type AgentNetwork, createAgent, ProbeFailure } from '../../canary-agent/agent.js';
import type { EgressOutcome } from '../world/contracts.js';
import { jsonResponse, type LabRequest, type LabResponse } from './http.js';
import type { MicrovmApp, MicrovmContext } from './microvm-apps.js';

/** The seam: each call is one connection the VM opens, decided by the lab's network world right now. */
export function labAgentNetwork(vm: Pick<MicrovmContext, 'connect'>): AgentNetwork {
  const fail = (outcome: Extract<EgressOutcome, { reachable: false }>, what: string): never => {
    throw new ProbeFailure(outcome.failure, `${what}: ${outcome.failure}`);
  };
  return {
    async resolve(name) {
      // The lab resolves as part of a connection: the answer (or the DNS failure) is all the seam uses.
      const outcome = vm.connect({ host: name, port: 53, protocol: 'udp' });
      if (outcome.resolvedIp) return outcome.resolvedIp;
      if (!outcome.reachable) fail(outcome, `resolving ${name}`);
      throw new ProbeFailure('dns', `${name} did not resolve`);
    },
    async connect(address, port) {
      const outcome = vm.connect({ host: address, port, protocol: 'tcp' });
      if (!outcome.reachable) fail(outcome, `connecting to ${address}:${port}`);
    },
    async request(url, address) {
      const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
      const outcome = vm.connect({ host: address, port, protocol: 'tcp' });
      if (!outcome.reachable) return fail(outcome, `requesting ${url.href}`);
      return { status: outcome.responseStatus, location: null, body: outcome.responseBody };
    },
  };
}

/** One agent per MicroVM (its allow-list comes from that VM's run hook). */
export function canaryAgentApp(): MicrovmApp {
  const agents = new Map<string, ReturnType<typeof createAgent>>();
  return async (req: LabRequest, vm: MicrovmContext): Promise<LabResponse> => {
    let agent = agents.get(vm.microvm.microvmId);
    if (!agent) {
      agent = createAgent({ allowList: [], network: labAgentNetwork(vm) });
      await agent.handle({
        method: 'POST',
        path: '/aws/lambda-microvms/runtime/v1/run',
        headers: {},
        body: JSON.stringify({ microvmId: vm.microvm.microvmId, runHookPayload: vm.runHookPayload }),
      });
      agents.set(vm.microvm.microvmId, agent);
    }
    // vm.connect evaluates the VM's egress path at call time, so the seam always sees the world as it is now.
    const answer = await agent.handle({
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.body.toString('utf8'),
    });
    return jsonResponse(answer.status, answer.body);
  };
}
