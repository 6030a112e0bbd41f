/**
 * ConnectorDirectory over Lambda Core: `GetNetworkConnector` takes a name or an id; when it answers
 * ResourceNotFoundException the listing (`ListNetworkConnectors`, every page) is searched by Name and Id,
 * so either spelling works on any API revision.
 */
import type { ConnectorDirectory, ConnectorRecord } from '../network-ports.js';
import { type LambdaCoreClient, LambdaCoreError, type NetworkConnector } from './lambda-core-client.js';

function record(connector: NetworkConnector): ConnectorRecord {
  const egress = connector.Configuration?.VpcEgressConfiguration;
  return {
    id: connector.Id,
    name: connector.Name,
    arn: connector.Arn,
    state: connector.State ?? null,
    subnetIds: egress?.SubnetIds ?? [],
    securityGroupIds: egress?.SecurityGroupIds ?? [],
  };
}

export class LambdaCoreConnectorDirectory implements ConnectorDirectory {
  constructor(private readonly client: LambdaCoreClient) {}

  /** Rejects with LambdaCoreError for anything but "not found". */
  async findConnector(nameOrId: string): Promise<ConnectorRecord | null> {
    try {
      return record(await this.client.getNetworkConnector(nameOrId));
    } catch (error) {
      if (!(error instanceof LambdaCoreError) || error.status !== 404) throw error;
    }
    for await (const summary of this.client.paginateNetworkConnectors()) {
      if (summary.Name === nameOrId || summary.Id === nameOrId) {
        return record(await this.client.getNetworkConnector(summary.Id));
      }
    }
    return null;
  }
}
