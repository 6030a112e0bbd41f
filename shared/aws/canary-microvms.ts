/**
 * Canary adapters over the MicroVMs API (official @aws-sdk/client-lambda-microvms), the endpoint proxy
 * (`https://<endpoint>/probe` with X-aws-proxy-auth, Lambda DG, Running and using MicroVMs: microvms-launching.html) and the Lambda Core connector list.
 */
import {
  CreateMicrovmAuthTokenCommand,
  GetMicrovmCommand,
  type LambdaMicrovmsClient,
  ListTagsCommand,
  paginateListMicrovms,
  RunMicrovmCommand,
  SuspendMicrovmCommand,
  TerminateMicrovmCommand,
} from '@aws-sdk/client-lambda-microvms';
import {
  type AgentAnswer,
  type AgentClient,
  type CanaryMicrovm,
  type CanaryMicrovms,
  type ConnectorConfigSource,
  type ConnectorDirectory,
  type LiveConnector,
  MicrovmApiError,
  type RunCanaryInput,
} from '../canary-ports.js';
import type { ProbeSpec } from '../domain/expectations.js';
import type { LambdaCoreClient } from './lambda-core-client.js';

function asApiError(error: unknown): MicrovmApiError {
  const e = error as { name?: string; message?: string };
  return new MicrovmApiError(e?.name ?? 'Error', e?.message ?? String(error), { cause: error });
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asApiError(error);
  }
}

function view(out: {
  microvmId?: string | undefined;
  state?: string | undefined;
  endpoint?: string | undefined;
  startedAt?: Date | undefined;
}): CanaryMicrovm {
  return {
    microvmId: out.microvmId ?? '',
    state: out.state ?? 'UNKNOWN',
    endpoint: out.endpoint ?? '',
    startedAt: out.startedAt ? out.startedAt.toISOString() : '',
  };
}

/** RunMicrovm / GetMicrovm / SuspendMicrovm / TerminateMicrovm / CreateMicrovmAuthToken for canaries. */
export class SdkCanaryMicrovms implements CanaryMicrovms {
  constructor(private readonly client: LambdaMicrovmsClient) {}

  run(input: RunCanaryInput): Promise<CanaryMicrovm> {
    return call(async () =>
      view(
        await this.client.send(
          new RunMicrovmCommand({
            imageIdentifier: input.imageArn,
            egressNetworkConnectors: [input.connectorArn],
            runHookPayload: input.runHookPayload,
            clientToken: input.clientToken,
            maximumDurationInSeconds: input.maximumDurationInSeconds,
            idlePolicy: {
              maxIdleDurationSeconds: input.maxIdleDurationSeconds,
              suspendedDurationSeconds: input.suspendedDurationSeconds,
              autoResumeEnabled: true,
            },
          }),
        ),
      ),
    );
  }

  async get(microvmId: string): Promise<CanaryMicrovm | undefined> {
    try {
      return view(await this.client.send(new GetMicrovmCommand({ microvmIdentifier: microvmId })));
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw asApiError(error);
    }
  }

  suspend(microvmId: string): Promise<void> {
    return call(async () => {
      await this.client.send(new SuspendMicrovmCommand({ microvmIdentifier: microvmId }));
    });
  }

  terminate(microvmId: string): Promise<void> {
    return call(async () => {
      await this.client.send(new TerminateMicrovmCommand({ microvmIdentifier: microvmId }));
    });
  }

  async findRunningOnConnector(
    imageIdentifier: string,
    connector: { id: string; name: string; arn: string },
  ): Promise<CanaryMicrovm | undefined> {
    const names = new Set([connector.arn, connector.id, connector.name]);
    try {
      for await (const page of paginateListMicrovms({ client: this.client }, { imageIdentifier })) {
        for (const item of page.items ?? []) {
          if (item.state !== 'RUNNING' || !item.microvmId) continue;
          const vm = await this.client.send(new GetMicrovmCommand({ microvmIdentifier: item.microvmId }));
          // Connectors may be named by ARN, by name-ARN or (versioned) ARN:<n>; compare the last segment too.
          const onIt = (vm.egressNetworkConnectors ?? []).some(
            (arn) => names.has(arn) || names.has(arn.split(':')[6] ?? '') || names.has(arn.replace(/:\d+$/, '')),
          );
          if (onIt && vm.state === 'RUNNING') return view(vm);
        }
      }
      return undefined;
    } catch (error) {
      throw asApiError(error);
    }
  }

  authToken(microvmId: string, port: number, expirationInMinutes: number): Promise<string> {
    return call(async () => {
      const out = await this.client.send(
        new CreateMicrovmAuthTokenCommand({
          microvmIdentifier: microvmId,
          expirationInMinutes,
          allowedPorts: [{ port }],
        }),
      );
      const token = out.authToken?.['X-aws-proxy-auth'];
      if (!token) throw new MicrovmApiError('MissingToken', 'CreateMicrovmAuthToken returned no X-aws-proxy-auth');
      return token;
    });
  }
}

export interface HttpAgentClientOptions {
  /**
   * Base URL of an endpoint proxy that takes the VM id in the path (`<base>/.lab/microvms/<id>/…`, the lab);
   * unset in AWS, where each VM has its own `https://<endpoint>` host.
   */
  proxyBaseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** `POST /probe` to the agent through the MicroVM endpoint proxy. */
export class HttpAgentClient implements AgentClient {
  constructor(private readonly options: HttpAgentClientOptions = {}) {}

  async probe(endpoint: string, microvmId: string, authToken: string, probes: ProbeSpec[]): Promise<AgentAnswer> {
    const base = this.options.proxyBaseUrl
      ? `${this.options.proxyBaseUrl.replace(/\/+$/, '')}/.lab/microvms/${microvmId}`
      : `https://${endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '')}`;
    const timeoutMs = this.options.timeoutMs ?? Math.max(5_000, ...probes.map((p) => p.timeoutMs + 2_000));
    const response = await (this.options.fetch ?? fetch)(`${base}/probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-aws-proxy-auth': authToken, 'X-aws-proxy-port': '8080' },
      body: JSON.stringify({ probes }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = { reason: text.slice(0, 200) };
    }
    return { status: response.status, body };
  }
}

/** ListNetworkConnectors (Lambda Core) and, when selectors use tags, ListTags per connector. */
export class LambdaCoreConnectorDirectory implements ConnectorDirectory, ConnectorConfigSource {
  /** GetNetworkConnector's VPC egress configuration; undefined when the connector is gone. */
  async configOf(connectorId: string): Promise<{ subnetIds: string[]; securityGroupIds: string[] } | undefined> {
    try {
      const c = await this.core.getNetworkConnector(connectorId);
      const vpc = c.Configuration?.VpcEgressConfiguration;
      return vpc ? { subnetIds: vpc.SubnetIds ?? [], securityGroupIds: vpc.SecurityGroupIds ?? [] } : undefined;
    } catch {
      return undefined;
    }
  }

  constructor(
    private readonly core: LambdaCoreClient,
    private readonly microvms: LambdaMicrovmsClient,
  ) {}

  async listConnectors(options: { withTags: boolean }): Promise<LiveConnector[]> {
    const out: LiveConnector[] = [];
    for await (const c of this.core.paginateNetworkConnectors()) {
      let tags: Record<string, string> = {};
      if (options.withTags) {
        const listed = await this.microvms.send(new ListTagsCommand({ Resource: c.Arn })).catch(() => undefined);
        tags = (listed?.Tags as Record<string, string> | undefined) ?? {};
      }
      out.push({ id: c.Id, name: c.Name, arn: c.Arn, state: c.State ?? 'UNKNOWN', tags });
    }
    return out;
  }
}
