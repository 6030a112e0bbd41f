/**
 * The apps that answer inside lab MicroVMs, one per image `appKind`. An app sees the request the endpoint
 * proxy forwards (X-aws-proxy-* headers stripped) and may open connections through the MicroVM's egress.
 */
import type { MicrovmView } from '../world/compute-microvms.js';
import type { EgressDestination, EgressOutcome } from '../world/contracts.js';
import { canaryAgentApp } from './canary-agent-app.js';
import type { LabRequest, LabResponse } from './http.js';
import { egressTestApp } from './microvm-egress-test-app.js';

export interface MicrovmContext {
  microvm: MicrovmView;
  imageName: string;
  /** The port the request was routed to inside the VM. */
  port: number;
  /** RunMicrovm's runHookPayload (what the VM's /run hook received). */
  runHookPayload?: string | undefined;
  /** Ground truth for a connection opened from inside this VM right now. */
  connect(destination: EgressDestination): EgressOutcome;
}

export type MicrovmApp = (req: LabRequest, vm: MicrovmContext) => Promise<LabResponse>;

export interface MicrovmAppRegistration {
  handle: MicrovmApp;
  /** Ports the app listens on inside the VM; anything else gets the proxy's 502. */
  ports: number[];
}

export class MicrovmAppRegistry {
  private readonly apps = new Map<string, MicrovmAppRegistration>();

  register(appKind: string, handle: MicrovmApp, ports: number[] = [8080]): this {
    this.apps.set(appKind, { handle, ports });
    return this;
  }

  get(appKind: string): MicrovmAppRegistration | undefined {
    return this.apps.get(appKind);
  }
}

/** The apps every lab starts with; scenarios add more (e.g. the canary probe agent). */
export function defaultMicrovmApps(): MicrovmAppRegistry {
  return new MicrovmAppRegistry().register('egress-test-app', egressTestApp).register('canary-agent', canaryAgentApp());
}
