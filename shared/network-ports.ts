/**
 * Ports of the network-facts area (docs/network-facts.md): where a snapshot comes from and where it is kept.
 */
import type { LambdaFunctionVpcFact, NetworkFacts, NetworkSnapshot } from './domain/network-facts.js';
import type { Scope } from './ports.js';

/** What a facts source returns: the snapshot without the capture metadata the use case adds. */
export type NetworkSnapshotBody = Omit<NetworkSnapshot, 'account' | 'region' | 'capturedAt'>;

/** Reads the network of one account/region (read-only). Rejects with the underlying error after its retries. */
export interface NetworkFactsSource {
  describeNetwork(scope: Scope): Promise<NetworkSnapshotBody>;
}

/**
 * Reads the account/region's Lambda function versions with their VPC configuration (read-only; Lambda
 * `ListFunctions` with `FunctionVersion=ALL`, `GetFunctionConfiguration` for the state of VPC-attached
 * `$LATEST`s). Rejects with the underlying error after its retries. docs/hyperplane-enis.md.
 */
export interface LambdaFunctionSource {
  listFunctionVpcConfigs(scope: Scope): Promise<LambdaFunctionVpcFact[]>;
}

export type FactsSaveOutcome = 'saved' | 'stale';

/** Keeps the latest snapshot per scope (`FACTS#<account>#<region>` / `NETWORK`) and its dated versions. */
export interface NetworkFactsStore {
  loadNetworkFacts(scope: Scope): Promise<NetworkFacts>;
  /** Writes unless a snapshot captured later is already stored ('stale'). */
  saveNetworkFacts(scope: Scope, facts: NetworkFacts): Promise<FactsSaveOutcome>;
}

/** A connector as the explain use case needs it. */
export interface ConnectorRecord {
  id: string;
  name: string;
  arn: string;
  state: string | null;
  subnetIds: string[];
  securityGroupIds: string[];
}

/** Finds a network connector by name or id (Lambda Core). Resolves null when none matches. */
export interface ConnectorDirectory {
  findConnector(nameOrId: string): Promise<ConnectorRecord | null>;
}
