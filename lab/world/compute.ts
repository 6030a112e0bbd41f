/**
 * The compute half of the lab world: Lambda Core network connectors and Lambda MicroVMs. It changes only
 * through API calls (emulators) and scenario switches, takes all time from the injected virtual clock, and
 * meets the network half only through NetworkWorldPort.
 */
import { NetworkConnectors } from './compute-connectors.js';
import { type ComputeContext, type ComputeWorldOptions, DEFAULT_COMPUTE_OPTIONS } from './compute-context.js';
import { Microvms } from './compute-microvms.js';
import type { NetworkWorldPort } from './contracts.js';

export type { ConnectorFaults, NetworkConnectorSummaryView, NetworkConnectorView } from './compute-connectors.js';
export type { ComputeContext, ComputeWorldOptions, Scheduler } from './compute-context.js';
export { evaluateMicrovmEgress } from './compute-egress.js';
export { ComputeApiError } from './compute-errors.js';
export type { MicrovmEgressPath, MicrovmImage, MicrovmItemView, MicrovmView } from './compute-microvms.js';

export class ComputeWorld {
  readonly options: ComputeWorldOptions;
  readonly connectors: NetworkConnectors;
  readonly microvms: Microvms;

  constructor(
    readonly ctx: ComputeContext,
    readonly network: NetworkWorldPort,
    options: Partial<ComputeWorldOptions> = {},
  ) {
    this.options = { ...DEFAULT_COMPUTE_OPTIONS, ...options };
    this.connectors = new NetworkConnectors(ctx, network, this.options);
    this.microvms = new Microvms(ctx, this.connectors, this.options);
  }
}
