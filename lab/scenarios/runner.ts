/**
 * Plays a scenario on a fresh lab: every step is a real API call by the scenario's people through the
 * official SDK clients (and the project's Lambda Core client) against the lab edge, a MicroVM probe through
 * the endpoint proxy, or a lab switch. Virtual time advances between steps, so deliveries arrive late,
 * duplicated or reordered as configured, and the product's handlers run as they would in AWS.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as ec2Commands from '@aws-sdk/client-ec2';
import { EC2Client } from '@aws-sdk/client-ec2';
import * as microvmCommands from '@aws-sdk/client-lambda-microvms';
import { CreateMicrovmAuthTokenCommand, LambdaMicrovmsClient } from '@aws-sdk/client-lambda-microvms';
import { DynamoDbStore } from '../../shared/aws/dynamodb-store.js';
import { LambdaCoreClient } from '../../shared/aws/lambda-core-client.js';
import { DynamoDbPathChangeStore } from '../../shared/aws/path-change-store.js';
import type { CanaryRun } from '../../shared/domain/canary.js';
import type { HyperplaneEniView } from '../../shared/domain/connector-lifecycle.js';
import { parseExpectations } from '../../shared/domain/expectations.js';
import type { ConnectorView, Finding } from '../../shared/domain/model.js';
import type { PathChangeCheck } from '../../shared/domain/path-change.js';
import { RULES } from '../../shared/domain/rules.js';
import { Lab, type LabActivity } from '../lab.js';
import type { CallerIdentity } from '../trail/record.js';
import type { ConnectorFaults } from '../world/compute.js';
import { articleNetworkSpec, type NetworkSpec } from '../world/network-spec.js';
import { type CanaryWatchReporter, watchCanaries } from './canary-watch.js';
import { parseDuration, type Scenario, type ScenarioActor, type ScenarioStep } from './scenario-file.js';

export interface ScenarioReporter extends CanaryWatchReporter {
  activity(activity: LabActivity): void;
  step(at: Date, step: ScenarioStep, outcome: StepOutcome): void;
  finding(at: Date, change: 'opened' | 'resolved' | 'reopened', finding: Finding, connectorName: string | null): void;
  /** A path change was checked: the expectations it flips and the re-probe it triggered (docs/canaries.md#path-changes). */
  pathCheck?(at: Date, finding: Finding, check: PathChangeCheck, connectorName: string | null): void;
}

export interface StepOutcome {
  ok: boolean;
  detail: string;
}

export interface PlayOptions {
  scenario: Scenario;
  dynamodbEndpoint: string;
  tableName: string;
  /** Virtual seconds per real second; 0 plays as fast as possible. */
  speed?: number;
  reporter?: ScenarioReporter;
  edgePort?: number;
  /** Override the scenario's delivery behaviour (e.g. { delayMs: 0 } for a clean run). */
  delivery?: Record<string, unknown>;
  /** Keep the lab running after the last step (for `lab serve`); the caller closes it. */
  keepOpen?: boolean;
  /** Play only the first N steps (for `lab serve`, which sets up the world and lets the user continue). */
  stepLimit?: number;
  /** Runs once the lab is up, before the first step (e.g. switch Slack faults on, add a silence). */
  prepare?: (lab: Lab) => Promise<void> | void;
  /** Runs after the last projection, before the lab closes (e.g. redrive dead letters). */
  beforeClose?: (lab: Lab) => Promise<void> | void;
  /** Overrides of the functions' environment in the lab (LabOptions.environment). */
  environment?: Record<string, string>;
}

export interface ScenarioResult {
  scenario: Scenario;
  lab: Lab;
  steps: { step: ScenarioStep; at: string; outcome: StepOutcome }[];
  connectors: ConnectorView[];
  findings: Finding[];
  /** Classic Lambda Hyperplane ENIs the product recognised and kept apart from connectors. */
  hyperplaneEnis: HyperplaneEniView[];
  expectations: { rule: string; status: 'open' | 'resolved'; met: boolean }[];
  failedSteps: number;
  /** Canary runs in time order (docs/canaries.md); their findings are part of `findings`. */
  canaryRuns: CanaryRun[];
  /** Every check attached to a network-path-changed finding, in the order they appeared. */
  pathChecks: { at: string; finding: Finding; check: PathChangeCheck }[];
}

const silentReporter: ScenarioReporter = { activity() {}, step() {}, finding() {} };

export function accessKeyOf(actor: string): string {
  return `LAB${actor.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
}

function callerOf(account: string, actor: ScenarioActor, name: string): CallerIdentity {
  if (actor.role) {
    return {
      kind: 'assumed-role',
      account,
      roleName: actor.role,
      sessionName: actor.session ?? name,
      ...(actor.invokedBy ? { invokedBy: actor.invokedBy } : {}),
    };
  }
  return { kind: 'user', account, userName: actor.user ?? name };
}

interface ActorClients {
  ec2: EC2Client;
  microvms: LambdaMicrovmsClient;
  lambdaCore: LambdaCoreClient;
}

export async function playScenario(options: PlayOptions): Promise<ScenarioResult> {
  const { scenario } = options;
  const reporter = options.reporter ?? silentReporter;
  const callers: Record<string, CallerIdentity> = {};
  for (const [name, actor] of Object.entries(scenario.actors))
    callers[accessKeyOf(name)] = callerOf(actor.account ?? scenario.account, actor, name);
  const networkOf = (network: Scenario['network']): NetworkSpec =>
    network === 'article' ? articleNetworkSpec() : (network as unknown as NetworkSpec);
  const lab = await Lab.start({
    account: scenario.account,
    region: scenario.region,
    start: scenario.start,
    network: networkOf(scenario.network),
    worlds: scenario.worlds.map((w) => ({ ...w, network: networkOf(w.network) })),
    roles: scenario.roles.map(({ externalId, ...role }) => ({ ...role, ...(externalId ? { externalId } : {}) })),
    ...(scenario.targets ? { targets: scenario.targets } : {}),
    images: scenario.images,
    callers,
    compute: scenario.lab.activationDelay ? { activationDelayMs: parseDuration(scenario.lab.activationDelay) } : {},
    delivery: { ...(scenario.lab.delivery ?? {}), ...(options.delivery ?? {}) },
    dynamodbEndpoint: options.dynamodbEndpoint,
    tableName: options.tableName,
    ...(options.edgePort !== undefined ? { edgePort: options.edgePort } : {}),
    ...(scenario.monitor ? { monitor: parseExpectations(scenario.monitor, `scenario ${scenario.name} monitor`) } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
  });
  const ddb = new DynamoDBClient({
    endpoint: options.dynamodbEndpoint,
    region: scenario.region,
    credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' },
  });
  const store = new DynamoDbStore({ client: ddb, tableName: options.tableName });
  const scope = { account: scenario.account, region: scenario.region };
  const clients = new Map<string, ActorClients>();
  const clientsOf = (actor: string): ActorClients => {
    if (!scenario.actors[actor]) throw new Error(`step names unknown actor "${actor}"`);
    let c = clients.get(actor);
    if (!c) {
      const credentials = { accessKeyId: accessKeyOf(actor), secretAccessKey: 'lab-secret' };
      const region = scenario.actors[actor]?.region ?? scenario.region;
      const common = { endpoint: lab.url, region, credentials, maxAttempts: 1 };
      c = {
        ec2: new EC2Client(common),
        microvms: new LambdaMicrovmsClient(common),
        lambdaCore: new LambdaCoreClient(common),
      };
      clients.set(actor, c);
    }
    return c;
  };

  // Findings as the product sees them, diffed after every projection so they print as they open/resolve.
  let known = new Map<string, string>();
  // Every account/region the product has seen (one in most scenarios; several in `org`).
  const everyScope = async <T>(read: (s: typeof scope) => Promise<T[]>): Promise<T[]> => {
    const scopes = await store.listScopes();
    const all = scopes.some((s) => s.account === scope.account && s.region === scope.region)
      ? scopes
      : [scope, ...scopes];
    return (await Promise.all(all.map(read))).flat();
  };
  const diffFindings = async (at: Date) => {
    const [findings, connectors] = await Promise.all([
      everyScope((s) => store.listFindings(s)),
      everyScope((s) => store.listConnectors(s)),
    ]);
    const names = new Map(connectors.map((c) => [c.id, c.name]));
    for (const f of findings) {
      const before = known.get(f.fingerprint);
      if (before === f.status) continue;
      const change =
        before === undefined
          ? f.status === 'open'
            ? 'opened'
            : 'resolved'
          : f.status === 'open'
            ? 'reopened'
            : 'resolved';
      reporter.finding(at, change, f, names.get(f.connectorId) ?? null);
    }
    known = new Map(findings.map((f) => [f.fingerprint, f.status]));
  };
  lab.onActivity((activity) => reporter.activity(activity));
  lab.afterProjection(diffFindings);
  // Checks the canary function attaches to network-path-changed findings (flips and re-probes).
  const pathChanges = new DynamoDbPathChangeStore(ddb, options.tableName);
  const pathChecks: ScenarioResult['pathChecks'] = [];
  const seenChecks = new Set<string>();
  lab.afterStreamBatch(async (functionName, at) => {
    if (functionName !== 'canary') return;
    const [findings, connectors] = await Promise.all([store.listFindings(scope), store.listConnectors(scope)]);
    for (const f of findings.filter((x) => x.rule === RULES.networkPathChanged.id)) {
      const check = await pathChanges.loadCheck(f.fingerprint);
      if (!check || seenChecks.has(`${f.fingerprint}@${check.checkedAt}`)) continue;
      seenChecks.add(`${f.fingerprint}@${check.checkedAt}`);
      pathChecks.push({ at: at.toISOString(), finding: f, check });
      reporter.pathCheck?.(at, f, check, connectors.find((c) => c.id === f.connectorId)?.name ?? null);
    }
  });
  await options.prepare?.(lab);
  const canaries = watchCanaries(
    lab,
    ddb,
    options.tableName,
    lab.cells.map((c) => ({ account: c.account, region: c.region })),
    reporter,
  );

  const saved: Record<string, unknown> = {};
  const steps: ScenarioResult['steps'] = [];
  const start = Date.parse(scenario.start);
  const playable = scenario.steps.slice(0, options.stepLimit ?? scenario.steps.length);
  for (const step of playable) {
    const at = new Date(start + parseDuration(step.at));
    if (options.speed && options.speed > 0) {
      const waitMs = (at.getTime() - lab.clock.nowMs()) / options.speed;
      if (waitMs > 0) await new Promise((r) => setTimeout(r, Math.min(waitMs, 10_000)));
    }
    await lab.advanceTo(at);
    const outcome = await runStep(step, { lab, scenario, saved, clientsOf });
    reporter.step(at, step, outcome);
    steps.push({ step, at: at.toISOString(), outcome });
  }
  if (!options.keepOpen) {
    // Late deliveries, retries and the last projections.
    await lab.settle();
    await lab.drainStream();
    await diffFindings(lab.clock.now());
    await canaries.poll(lab.clock.now());
  }
  const findings = [...(await everyScope((s) => store.listFindings(s))), ...canaries.findings()];
  const connectors = await everyScope((s) => store.listConnectors(s));
  const hyperplaneEnis = await everyScope((s) => store.listHyperplaneEnis(s));
  const expectations = [
    ...scenario.expect.open.map((rule) => ({ rule, status: 'open' as const })),
    ...scenario.expect.resolved.map((rule) => ({ rule, status: 'resolved' as const })),
  ].map((e) => ({ ...e, met: findings.some((f) => f.rule === e.rule && f.status === e.status) }));
  await options.beforeClose?.(lab);
  if (!options.keepOpen) {
    for (const c of clients.values()) {
      c.ec2.destroy();
      c.microvms.destroy();
    }
    ddb.destroy();
    await lab.close();
  }
  return {
    scenario,
    lab,
    steps,
    connectors,
    findings,
    hyperplaneEnis,
    expectations,
    failedSteps: steps.filter((s) => !s.outcome.ok).length,
    canaryRuns: canaries.runs,
    pathChecks,
  };
}

interface StepContext {
  lab: Lab;
  scenario: Scenario;
  saved: Record<string, unknown>;
  clientsOf(actor: string): ActorClients;
  /** Who acts in this step: `${subnet:…}`, `${account}`, `${region}` and world switches are of their world. */
  actor: string;
}

/** The account and region an actor works in (default: the scenario's). */
function placeOf(ctx: StepContext): { account: string; region: string } {
  const actor = ctx.scenario.actors[ctx.actor];
  return { account: actor?.account ?? ctx.scenario.account, region: actor?.region ?? ctx.scenario.region };
}

/** The acting actor's world. */
function cellOf(ctx: StepContext) {
  const { account, region } = placeOf(ctx);
  return ctx.lab.cell(account, region);
}

async function runStep(step: ScenarioStep, scenarioCtx: Omit<StepContext, 'actor'>): Promise<StepOutcome> {
  const actor = step.as ?? Object.keys(scenarioCtx.scenario.actors)[0] ?? '';
  const ctx: StepContext = { ...scenarioCtx, actor };
  const input = resolveValues(step.with ?? {}, ctx) as Record<string, unknown>;
  if (step.world) return applyWorldSwitch(step.world, ctx);
  if (step.probe) return probe(step, ctx);
  if (!step.call) return { ok: true, detail: step.say ?? 'nothing to do' };
  try {
    const output = await callApi(step.call, input, ctx.clientsOf(actor));
    if (step.save) ctx.saved[step.save] = output;
    if (step.expectError) return { ok: false, detail: `${step.call} succeeded but ${step.expectError} was expected` };
    return { ok: true, detail: `${step.call} ok` };
  } catch (error) {
    const name = errorName(error);
    if (step.expectError && name.includes(step.expectError))
      return { ok: true, detail: `${step.call} failed as expected: ${name}` };
    return { ok: false, detail: `${step.call} failed: ${name}: ${(error as Error).message}` };
  }
}

function errorName(error: unknown): string {
  const e = error as { name?: string; code?: string };
  return [e.name, e.code].filter(Boolean).join('/') || String(error);
}

async function callApi(call: string, input: Record<string, unknown>, clients: ActorClients): Promise<unknown> {
  const [service, operation] = call.split('.') as [keyof ActorClients, string];
  if (service === 'lambdaCore') {
    const client = clients.lambdaCore as unknown as Record<string, (arg: unknown) => Promise<unknown>>;
    const method = client[operation];
    if (typeof method !== 'function') throw new Error(`Lambda Core client has no method ${operation}`);
    const takesIdentifier = operation === 'getNetworkConnector' || operation === 'deleteNetworkConnector';
    return method.call(clients.lambdaCore, takesIdentifier ? input.Identifier : input);
  }
  const commands = (service === 'ec2' ? ec2Commands : microvmCommands) as unknown as Record<
    string,
    new (
      i: unknown,
    ) => unknown
  >;
  const Command = commands[`${operation}Command`];
  if (!Command) throw new Error(`${service} has no ${operation} operation`);
  const client = clients[service] as unknown as { send(command: unknown): Promise<Record<string, unknown>> };
  const { $metadata: _metadata, ...output } = await client.send(new Command(input));
  return output;
}

async function probe(step: ScenarioStep, ctx: StepContext): Promise<StepOutcome> {
  const spec = step.probe as NonNullable<ScenarioStep['probe']>;
  const microvmId = String(resolveValues(spec.microvm, ctx));
  const url = String(resolveValues(spec.url, ctx));
  const token = await ctx.clientsOf(ctx.actor).microvms.send(
    new CreateMicrovmAuthTokenCommand({
      microvmIdentifier: microvmId,
      expirationInMinutes: 60,
      allowedPorts: [{ port: 8080 }],
    }),
  );
  const auth = token.authToken?.['X-aws-proxy-auth'] ?? '';
  const response = await fetch(`${ctx.lab.url}/.lab/microvms/${microvmId}/fetch?url=${encodeURIComponent(url)}`, {
    headers: { 'x-aws-proxy-auth': auth },
  });
  const body = await response.text();
  const observed =
    response.status === 200
      ? 'reachable'
      : body.includes('timeout')
        ? 'timeout'
        : body.includes('dns')
          ? 'dns'
          : 'refused';
  const bodyOk = !spec.bodyContains || body.includes(spec.bodyContains);
  const ok = observed === spec.expect && bodyOk;
  const shown = body.length > 120 ? `${body.slice(0, 117)}...` : body;
  return {
    ok,
    detail: `probe ${url} from ${microvmId}: ${observed}${ok ? '' : ` (expected ${spec.expect})`} ${shown}`,
  };
}

function applyWorldSwitch(world: NonNullable<ScenarioStep['world']>, ctx: StepContext): StepOutcome {
  const done: string[] = [];
  if (world.connectorFaults) {
    cellOf(ctx).compute.connectors.setFaults(
      world.connectorFaults.name,
      world.connectorFaults.faults as ConnectorFaults,
    );
    done.push(`faults for connector ${world.connectorFaults.name}: ${JSON.stringify(world.connectorFaults.faults)}`);
  }
  if (world.subnetFreeIps) {
    const subnetId = cellOf(ctx).network.idOf('subnet', world.subnetFreeIps.subnet);
    cellOf(ctx).network.setAvailableIpAddressCount(subnetId, world.subnetFreeIps.count);
    done.push(`subnet ${world.subnetFreeIps.subnet} now has ${world.subnetFreeIps.count} free IPs`);
  }
  if (world.trail) {
    const change = Object.fromEntries(Object.entries(world.trail).filter(([, v]) => v !== undefined));
    const trail = ctx.lab.monitoring.setTrail(change);
    done.push(
      `trail ${trail.name} ${trail.isLogging ? 'logging' : 'stopped'}, MicroVM data events ${trail.microvmDataEvents ? 'selected' : 'not selected'}`,
    );
  }
  if (world.ingestRule) {
    const name = ctx.lab.monitoring.setRuleEnabled(world.ingestRule.rule, world.ingestRule.enabled);
    done.push(`rule ${name} ${world.ingestRule.enabled ? 'ENABLED' : 'DISABLED'}`);
  }
  if (world.lambdaFunction) {
    const f = world.lambdaFunction;
    const subnetIds = f.subnets.map((name) => cellOf(ctx).network.idOf('subnet', name));
    const vpcId = subnetIds[0] ? (cellOf(ctx).network.subnets.get(subnetIds[0])?.vpcId ?? null) : null;
    cellOf(ctx).functions.put({
      functionName: f.name,
      subnetIds,
      securityGroupIds: f.securityGroups.map((name) => cellOf(ctx).network.idOf('security-group', name)),
      vpcId,
      ...(f.version ? { version: f.version } : {}),
      ...(f.state ? { state: f.state } : {}),
      ...(f.stateReasonCode ? { stateReasonCode: f.stateReasonCode } : {}),
      ...(f.lastModified ? { lastModified: f.lastModified } : {}),
    });
    done.push(
      `function ${f.name}${f.version ? `:${f.version}` : ''} ${subnetIds.length ? `in ${f.subnets.join(', ')}` : 'without VPC'}`,
    );
  }
  if (world.deleteLambdaFunction) {
    const deleted = cellOf(ctx).functions.remove(world.deleteLambdaFunction);
    if (!deleted) return { ok: false, detail: `no function ${world.deleteLambdaFunction} to delete` };
    done.push(`function ${world.deleteLambdaFunction} deleted`);
  }
  return { ok: true, detail: done.join('; ') };
}

const ID_KINDS: Record<string, Parameters<Lab['network']['idOf']>[0]> = {
  vpc: 'vpc',
  subnet: 'subnet',
  sg: 'security-group',
  rtb: 'route-table',
  nat: 'nat-gateway',
  acl: 'network-acl',
  igw: 'internet-gateway',
  eip: 'elastic-ip',
  eni: 'network-interface',
  instance: 'instance',
};

/** ${subnet:name}, ${sg:name}, ${image:name}, ${account}, ${region}, ${saved.path} in any string. */
function resolveValues(value: unknown, ctx: StepContext): unknown {
  if (typeof value === 'string') return value.replace(/\$\{([^}]+)\}/g, (_, token: string) => resolveToken(token, ctx));
  if (Array.isArray(value)) return value.map((v) => resolveValues(v, ctx));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValues(v, ctx)]));
  }
  return value;
}

function resolveToken(token: string, ctx: StepContext): string {
  const place = placeOf(ctx);
  if (token === 'account') return place.account;
  if (token === 'region') return place.region;
  const [kind, name] = token.split(':');
  if (name !== undefined && kind === 'image')
    return `arn:aws:lambda:${place.region}:${place.account}:microvm-image:${name}`;
  if (name !== undefined && kind && ID_KINDS[kind]) return cellOf(ctx).network.idOf(ID_KINDS[kind], name);
  let current: unknown = ctx.saved;
  for (const part of token.split('.')) current = (current as Record<string, unknown> | undefined)?.[part];
  if (current === undefined) throw new Error(`scenario reference \${${token}} is not defined yet`);
  return String(current);
}
