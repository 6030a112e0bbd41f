/**
 * The embedded lab (a composition root): a virtual clock, the network and compute worlds, CloudTrail,
 * the EventBridge bus with the rules read from serverless.yml, the product's handler modules invoked as
 * Lambda would invoke them (EventBridge targets, the DynamoDB stream, schedules), and one edge port that
 * every AWS SDK client can use. DynamoDB is the real DynamoDB Local underneath.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { appLogger, noFunctionMetrics } from '../shared/observability.js';
import { silentLogger } from '../shared/ports.js';
import type { FunctionRuntime } from '../shared/runtime.js';
import { VirtualClock } from './clock.js';
import { DynamoDbStreamPoller } from './dynamodb-stream-poller.js';
import { CallerRegistry, callerFromAuthorization, credentialScope, type Edge, startEdge } from './edge.js';
import { createCloudTrailEmulator } from './emulators/cloudtrail.js';
import { createEc2Emulator } from './emulators/ec2.js';
import { Ec2FaultSwitch } from './emulators/ec2-faults.js';
import { createEventBridgeEmulator } from './emulators/eventbridge.js';
import type { Emulator, LabRequest } from './emulators/http.js';
import { jsonResponse } from './emulators/http.js';
import { createLambdaCoreEmulator } from './emulators/lambda-core.js';
import { createLambdaFunctionsEmulator } from './emulators/lambda-functions.js';
import { createMicrovmProxy, microvmTargetOf } from './emulators/microvm-proxy.js';
import { createMicrovmsEmulator } from './emulators/microvms.js';
import { createS3Emulator, type S3Emulator } from './emulators/s3.js';
import {
  createSlackWebhookReceiver,
  type SlackReceived,
  type SlackWebhookReceiver,
} from './emulators/slack-webhook.js';
import { createSnsEmulator, type SnsEmulator } from './emulators/sns.js';
import { createSqsEmulator, type SqsEmulator } from './emulators/sqs.js';
import { createSsmEmulator, type SsmEmulator } from './emulators/ssm.js';
import { createStsEmulator, type LabRoleSpec, type StsEmulator } from './emulators/sts.js';
import { type DeliveryBehaviour, type EventBridgeEnvelope, LabEventBus } from './eventbridge/bus.js';
import { matchesPattern } from './eventbridge/pattern.js';
import {
  type FunctionRules,
  namedRulesFromServerlessConfig,
  parseServerlessYaml,
  rulesFromServerlessConfig,
} from './eventbridge/serverless-rules.js';
import { LabMonitoringSetup } from './trail/monitoring.js';
import type { CallerIdentity, CloudTrailRecord } from './trail/record.js';
import { LabTrail } from './trail/store.js';
import { ComputeWorld, type ComputeWorldOptions } from './world/compute.js';
import { LambdaFunctionWorld } from './world/lambda-functions.js';
import { NetworkWorld } from './world/network.js';
import type { NetworkSpec } from './world/network-spec.js';

export interface LabOptions {
  account: string;
  region: string;
  start: string;
  network: NetworkSpec;
  images: { name: string; appKind: string }[];
  /** Access key id → caller, so SDK clients act as the scenario's people and roles. */
  callers: Record<string, CallerIdentity>;
  compute?: Partial<ComputeWorldOptions>;
  delivery?: Partial<DeliveryBehaviour>;
  dynamodbEndpoint: string;
  tableName: string;
  edgePort?: number;
  serverlessYml?: string;
  snsTopics?: string[];
  /** The expectations document for the canary function (a scenario's `monitor:` block); none = canaries idle. */
  monitor?: unknown;
  /**
   * Overrides of the functions' environment, applied last (e.g. `EGRESS_WATCH_SLACK_MODE: 'webhook'` with
   * `EGRESS_WATCH_SLACK_SECRET_NAME: lab.alerting.slackWebhookSecretName`'s value, docs/lab.md).
   */
  environment?: Record<string, string>;
  /**
   * More account/region worlds besides (account, region, network): an AWS Organization's member accounts and
   * other regions (docs/lab.md#organizations). Each has its own CloudTrail, network and compute; its events
   * reach the one bus as member-account rules would forward them.
   */
  worlds?: LabWorldSpec[];
  /** Roles the lab's STS lets callers assume (the members' read-only roles). */
  roles?: LabRoleSpec[];
  /** The functions' EGRESS_WATCH_TARGETS document (docs/organizations.md#targets); none: own account/region. */
  targets?: unknown;
}

/** One more account/region of the lab. */
export interface LabWorldSpec {
  account: string;
  region: string;
  network: NetworkSpec;
  images?: { name: string; appKind: string }[];
}

/** An account/region of the lab: its CloudTrail, network and compute worlds. */
export interface LabCell {
  account: string;
  region: string;
  trail: LabTrail;
  network: NetworkWorld;
  compute: ComputeWorld;
  /** Classic Lambda functions of this account/region (docs/hyperplane-enis.md). */
  functions: LambdaFunctionWorld;
}

/** The lab's SSM SecureString with an incoming-webhook URL of its Slack (EGRESS_WATCH_SLACK_MODE=webhook). */
export const LAB_SLACK_WEBHOOK_SECRET_NAME = '/egress-watch/lab/slack-webhook-url';

/** The canary image every lab with a `monitor` registers (its VMs run canary-agent/agent.ts). */
export const LAB_CANARY_IMAGE = { name: 'egress-watch-canary', appKind: 'canary-agent' } as const;

export type LabHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LabActivity {
  kind: 'cloudtrail' | 'delivered' | 'projected' | 'handler-error' | 'scheduled' | 'slack';
  at: Date;
  text: string;
  record?: CloudTrailRecord;
  functionName?: string;
  /** kind 'slack': the payload the lab's Slack accepted. */
  slack?: SlackReceived;
}

/** Where the notify function delivers in the lab (docs/alerts.md), and where the report goes (docs/report.md). */
export interface LabAlerting {
  snsTopicArn: string;
  deadLetterQueueUrl: string;
  slackSecretName: string;
  /** SSM SecureString holding an incoming-webhook URL of the lab's Slack (for EGRESS_WATCH_SLACK_MODE=webhook). */
  slackWebhookSecretName: string;
  /** The lab's report bucket (its S3 emulator). */
  reportBucket: string;
}

interface StreamConsumer {
  functionName: string;
  handler: LabHandler;
  filterPatterns: unknown[];
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The stage the lab resolves serverless.yml names with (`${sls:stage}`), e.g. its EventBridge rule names. */
export const LAB_STAGE = 'lab';

export class Lab {
  readonly clock: VirtualClock;
  readonly trail: LabTrail;
  readonly bus: LabEventBus;
  readonly network: NetworkWorld;
  readonly compute: ComputeWorld;
  /** Classic Lambda functions (VPC configurations only), docs/hyperplane-enis.md. */
  readonly functions: LambdaFunctionWorld;
  readonly callers: CallerRegistry;
  readonly sns: SnsEmulator;
  readonly slack: SlackWebhookReceiver;
  readonly ssm: SsmEmulator;
  readonly sqs: SqsEmulator;
  /** The report bucket (docs/report.md): what the report function stores. */
  readonly s3: S3Emulator;
  readonly sts: StsEmulator;
  /** Every account/region world; the first is (options.account, options.region), the same as trail/network/compute. */
  readonly cells: LabCell[];
  /** Trails and ingest rules (docs/lab.md#monitoring-setup): the bus follows them, reconcile reads them. */
  readonly monitoring: LabMonitoringSetup;
  /** Switchable EC2 faults (Describe throttling). */
  readonly ec2Faults = new Ec2FaultSwitch();
  readonly deliveries: { functionName: string; at: string; envelope: EventBridgeEnvelope }[] = [];
  private readonly listeners: ((activity: LabActivity) => void)[] = [];
  private readonly projectionHooks: ((at: Date) => Promise<void>)[] = [];
  private readonly scheduledHooks: ((functionName: string, at: Date) => Promise<void>)[] = [];
  private readonly streamHooks: ((functionName: string, at: Date) => Promise<void>)[] = [];
  private edge: Edge | undefined;
  private poller: DynamoDbStreamPoller | undefined;
  private readonly streamConsumers: StreamConsumer[] = [];
  private readonly handlers = new Map<string, LabHandler>();
  private slackSeen = 0;
  private readonly handlerErrors: { functionName: string; error: string }[] = [];

  private constructor(readonly options: LabOptions) {
    this.clock = new VirtualClock(options.start);
    this.trail = new LabTrail({ clock: this.clock });
    this.bus = new LabEventBus({ clock: this.clock, behaviour: options.delivery ?? {}, trailLogsDataEvents: true });
    const ctx = { clock: this.clock, trail: this.trail, account: options.account, region: options.region };
    this.network = NetworkWorld.fromSpec(options.network, ctx);
    this.compute = new ComputeWorld(ctx, this.network, options.compute ?? {});
    this.functions = new LambdaFunctionWorld(ctx);
    for (const image of options.images) this.compute.microvms.registerImage(image);
    if (options.monitor !== undefined) this.compute.microvms.registerImage(LAB_CANARY_IMAGE);
    this.cells = [
      {
        account: options.account,
        region: options.region,
        trail: this.trail,
        network: this.network,
        compute: this.compute,
        functions: this.functions,
      },
      ...(options.worlds ?? []).map((world) => this.buildCell(world)),
    ];
    this.callers = new CallerRegistry(options.account);
    for (const [key, caller] of Object.entries(options.callers)) this.callers.register(key, caller);
    this.sts = createStsEmulator({
      roles: options.roles ?? [],
      callers: this.callers,
      callerOf: (req) => callerFromAuthorization(req, this.callers),
    });
    this.sns = createSnsEmulator({ topics: options.snsTopics ?? [], clock: this.clock });
    this.slack = createSlackWebhookReceiver({ clock: this.clock });
    this.ssm = createSsmEmulator({ account: options.account, region: options.region, clock: this.clock });
    this.sqs = createSqsEmulator({ clock: this.clock });
    this.monitoring = new LabMonitoringSetup(options.account, options.region, () => this.clock.now());
    this.monitoring.onChange(() => {
      this.bus.setTrailLogsDataEvents(this.monitoring.logsMicrovmDataEvents());
      for (const name of this.monitoring.ruleNames())
        this.bus.setRuleEnabled(name, this.monitoring.isRuleEnabled(name));
    });
    this.s3 = createS3Emulator({ clock: this.clock });
    this.trail.onRecord((record) => {
      this.emit({ kind: 'cloudtrail', at: this.clock.now(), text: record.eventName, record });
      this.bus.publish(record);
    });
  }

  /** A member world: its own trail (published to the one bus), network and compute on the lab's clock. */
  private buildCell(world: LabWorldSpec): LabCell {
    const trail = new LabTrail({ clock: this.clock });
    const ctx = { clock: this.clock, trail, account: world.account, region: world.region };
    const network = NetworkWorld.fromSpec(world.network, ctx);
    const compute = new ComputeWorld(ctx, network, this.options.compute ?? {});
    for (const image of world.images ?? []) compute.microvms.registerImage(image);
    if (this.options.monitor !== undefined) compute.microvms.registerImage(LAB_CANARY_IMAGE);
    trail.onRecord((record) => {
      this.emit({ kind: 'cloudtrail', at: this.clock.now(), text: record.eventName, record });
      this.bus.publish(record);
    });
    return {
      account: world.account,
      region: world.region,
      trail,
      network,
      compute,
      functions: new LambdaFunctionWorld(ctx),
    };
  }

  /** The world of (account, region). @throws Error when the lab has none. */
  cell(account: string, region: string): LabCell {
    const found = this.cells.find((c) => c.account === account && c.region === region);
    if (!found) throw new Error(`the lab has no world for account ${account} in ${region}`);
    return found;
  }

  /**
   * One emulator per world behind one route: a request goes to the world of its caller's account (from the
   * access key) and its SigV4 region. A lab with one world sends everything there, as before.
   */
  private perCell(make: (cell: LabCell) => Emulator): Emulator {
    const emulators = new Map(this.cells.map((cell) => [cell, make(cell)]));
    return async (req: LabRequest) => {
      const only = this.cells.length === 1 ? this.cells[0] : undefined;
      const caller = callerFromAuthorization(req, this.callers);
      const account = caller.kind === 'aws-service' ? this.options.account : caller.account;
      const region = credentialScope(req)?.region ?? this.options.region;
      const cell = only ?? this.cells.find((c) => c.account === account && c.region === region);
      const emulator = cell && emulators.get(cell);
      if (!emulator) return jsonResponse(400, { message: `lab: no world for account ${account} in ${region}` });
      return emulator(req);
    };
  }

  /** The MicroVM endpoint proxy of the world that runs the addressed MicroVM. */
  private microvmProxyRoute(): Emulator {
    const proxies = new Map(this.cells.map((cell) => [cell, createMicrovmProxy(cell.compute, cell.network)]));
    return async (req: LabRequest) => {
      const id = microvmTargetOf(req)?.microvmId;
      const cell = this.cells.find((c) => id !== undefined && c.compute.microvms.has(id)) ?? (this.cells[0] as LabCell);
      return (proxies.get(cell) as Emulator)(req);
    };
  }

  /** Builds the world, starts the edge and wires the product's handlers to the bus, stream and schedules. */
  static async start(options: LabOptions): Promise<Lab> {
    const lab = new Lab(options);
    const callerFor = (req: Parameters<typeof callerFromAuthorization>[0]) => callerFromAuthorization(req, lab.callers);
    lab.edge = await startEdge({
      port: options.edgePort ?? 0,
      routes: {
        dynamodbEndpoint: options.dynamodbEndpoint,
        ec2: lab.perCell((cell) => createEc2Emulator(cell.network, { callerFor, faults: lab.ec2Faults })),
        lambdaCore: lab.perCell((cell) => createLambdaCoreEmulator(cell.compute, { callerFor })),
        microvms: lab.perCell((cell) => createMicrovmsEmulator(cell.compute, { callerFor })),
        microvmProxy: lab.microvmProxyRoute(),
        cloudtrail: lab.perCell((cell) => createCloudTrailEmulator(cell.trail, lab.monitoring)),
        sts: lab.sts,
        lambdaFunctions: lab.perCell((cell) => createLambdaFunctionsEmulator(cell.functions)),
        eventbridge: createEventBridgeEmulator(lab.monitoring),
        sns: lab.sns,
        slack: lab.slack,
        ssm: lab.ssm,
        sqs: lab.sqs,
        s3: lab.s3,
      },
    });
    lab.prepareAlerting();
    await lab.wireHandlers(options.serverlessYml ?? `${REPO_ROOT}serverless.yml`);
    return lab;
  }

  get url(): string {
    if (!this.edge) throw new Error('lab not started');
    return this.edge.url;
  }

  onActivity(listener: (activity: LabActivity) => void): void {
    this.listeners.push(listener);
  }

  /** Runs after every projection, inside the delivery, so observers see findings in timeline order. */
  afterProjection(hook: (at: Date) => Promise<void>): void {
    this.projectionHooks.push(hook);
  }

  /** Runs after every scheduled invocation (e.g. a canary tick), so observers see its results in order. */
  afterScheduled(hook: (functionName: string, at: Date) => Promise<void>): void {
    this.scheduledHooks.push(hook);
  }

  /**
   * Runs after every stream batch a function other than the projector consumed (e.g. the canary's
   * re-probe on a path change), so observers see its results in order.
   */
  afterStreamBatch(hook: (functionName: string, at: Date) => Promise<void>): void {
    this.streamHooks.push(hook);
  }

  errors(): { functionName: string; error: string }[] {
    return [...this.handlerErrors];
  }

  /** Advances virtual time, delivering events and running handlers whose time has come. */
  async advanceTo(at: Date): Promise<void> {
    await this.clock.advanceTo(at.getTime());
  }

  /** Lets every pending delivery, retry and world timer play out (bounded by `maxMs` of virtual time). */
  async settle(maxMs = 2 * 3600_000): Promise<void> {
    await this.clock.advanceBy(maxMs);
  }

  async close(): Promise<void> {
    await this.edge?.close();
  }

  private emit(activity: LabActivity): void {
    for (const listener of this.listeners) listener(activity);
  }

  /** The lab's alerting resources: an SNS topic, the notifications dead-letter queue, the Slack bot token. */
  get alerting(): LabAlerting {
    return {
      snsTopicArn: `arn:aws:sns:${this.options.region}:${this.options.account}:egress-watch-lab-alerts`,
      deadLetterQueueUrl: `${this.url}/${this.options.account}/egress-watch-lab-notify-dlq`,
      slackSecretName: '/egress-watch/lab/slack-bot-token',
      slackWebhookSecretName: LAB_SLACK_WEBHOOK_SECRET_NAME,
      reportBucket: 'egress-watch-lab-reports',
    };
  }

  private prepareAlerting(): void {
    const { snsTopicArn, deadLetterQueueUrl, slackSecretName, slackWebhookSecretName, reportBucket } = this.alerting;
    this.sns.addTopic(snsTopicArn);
    this.sqs.createQueue(deadLetterQueueUrl);
    this.s3.createBucket(reportBucket);
    // A bot token made up for this run only: never in a file, never printed.
    const token = `xoxb-lab-${randomUUID()}`;
    this.ssm.putParameter(slackSecretName, token, 'SecureString');
    this.slack.setBotToken(token);
    // An incoming webhook of the lab's Slack, for webhook mode (its last path segment is the secret part).
    const hook = `${this.url}/services/T0LAB0001/B0LAB0001/${randomUUID().replace(/-/g, '')}`;
    this.ssm.putParameter(slackWebhookSecretName, hook, 'SecureString');
  }

  /**
   * The environment a deployed function would get, pointed at the lab: one endpoint for every AWS client
   * (the edge forwards DynamoDB to DynamoDB Local). Set before the handler modules load their config.
   */
  private handlerEnvironment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_REGION: this.options.region,
      AWS_ACCESS_KEY_ID: 'LABFUNCTION',
      AWS_SECRET_ACCESS_KEY: 'labfunction',
      EGRESS_WATCH_TABLE: this.options.tableName,
      EGRESS_WATCH_ALLOWED_ACCOUNTS: [...new Set(this.cells.map((c) => c.account))].join(','),
      ...(this.options.targets !== undefined ? { EGRESS_WATCH_TARGETS: JSON.stringify(this.options.targets) } : {}),
      // reconcile's monitoring-blind check reads these rules, as serverless.yml sets it (docs/reconcile.md).
      EGRESS_WATCH_INGEST_RULES: this.monitoring.ruleNames().join(','),
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // notify: Slack bot through the lab's Web API, SNS topic and dead-letter queue of the lab.
      EGRESS_WATCH_SLACK_MODE: 'bot',
      EGRESS_WATCH_SLACK_SECRET_NAME: this.alerting.slackSecretName,
      EGRESS_WATCH_SLACK_API_URL: `${this.url}/api/`,
      EGRESS_WATCH_SNS_TOPIC_ARN: this.alerting.snsTopicArn,
      EGRESS_WATCH_NOTIFY_DLQ_URL: this.alerting.deadLetterQueueUrl,
      EGRESS_WATCH_SLACK_RETRY_MIN_MS: '50',
      EGRESS_WATCH_SLACK_RETRIES: '4',
      // report: stored in the lab's bucket, summary through the same Slack, the notify DLQ counted.
      EGRESS_WATCH_REPORT_BUCKET: this.alerting.reportBucket,
      EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES: `notifications=${this.alerting.deadLetterQueueUrl}`,
      // The canary function (docs/canaries.md): expectations inline, the lab's canary image, and the
      // endpoint proxy in its path form (fetch cannot set the Host header of a per-VM endpoint).
      EGRESS_WATCH_EXPECTATIONS: JSON.stringify(this.options.monitor ?? { connectors: [] }),
      EGRESS_WATCH_CANARY_IMAGE_ARN: `arn:aws:lambda:${this.options.region}:${this.options.account}:microvm-image:${LAB_CANARY_IMAGE.name}`,
      EGRESS_WATCH_MICROVM_PROXY_URL: this.url,
      ...this.options.environment,
    };
  }

  /**
   * What the lab passes to each function's `depsFor`: its environment as a record (process.env is left
   * alone), every AWS client pointed at the edge, the virtual clock, and quiet logs unless asked for.
   * Public so tools run against the lab exactly as a function would (e.g. the notifications redrive).
   */
  functionRuntime(): FunctionRuntime {
    const env = this.handlerEnvironment();
    const logLevel = env.POWERTOOLS_LOG_LEVEL ?? 'SILENT';
    return {
      env,
      aws: {
        region: this.options.region,
        endpoint: this.url,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
      },
      clock: this.clock,
      logger: logLevel === 'SILENT' ? silentLogger : appLogger,
      metrics: noFunctionMetrics,
    };
  }

  /**
   * The handler the lab invokes: `makeHandler(depsFor(runtime))` for functions that follow the convention
   * (docs/architecture.md#functions-handlers-and-dependencies); the exported handler, with the function's
   * environment in process.env, for any that do not yet.
   */
  private async loadHandler(fn: FunctionRules): Promise<LabHandler> {
    const [modulePath, exportName] = splitHandler(fn.handler);
    const module = (await import(pathToFileURL(`${REPO_ROOT}${modulePath}.ts`).href)) as Record<string, unknown>;
    const { makeHandler, depsFor } = module;
    if (typeof makeHandler === 'function' && typeof depsFor === 'function')
      return makeHandler(depsFor(this.functionRuntime())) as LabHandler;
    const handler = module[exportName];
    if (typeof handler !== 'function') throw new Error(`${fn.handler}: no exported function ${exportName}`);
    Object.assign(process.env, this.handlerEnvironment());
    delete process.env.EGRESS_WATCH_DYNAMODB_ENDPOINT;
    return handler as LabHandler;
  }

  private async wireHandlers(serverlessYml: string): Promise<void> {
    const config = parseServerlessYaml(await readFile(serverlessYml, 'utf8'));
    const functions = rulesFromServerlessConfig(config);
    const named = namedRulesFromServerlessConfig(config, LAB_STAGE);
    this.monitoring.addRules(named);
    this.poller = new DynamoDbStreamPoller(this.options.dynamodbEndpoint, this.options.tableName);
    await this.poller.poll(); // start reading the stream from now on
    for (const fn of functions) {
      const handler = await this.loadHandler(fn);
      this.handlers.set(fn.functionName, handler);
      for (const stream of fn.streams ?? []) {
        this.streamConsumers.push({ functionName: fn.functionName, handler, filterPatterns: stream.filterPatterns });
      }
      if (fn.patterns.length > 0) {
        const ruleNames = named.filter((r) => r.functionName === fn.functionName).map((r) => r.name);
        this.bus.subscribe({
          name: fn.functionName,
          patterns: fn.patterns,
          ...(ruleNames.length === fn.patterns.length ? { ruleNames } : {}),
          deliver: async (envelope) => {
            this.deliveries.push({ functionName: fn.functionName, at: this.clock.now().toISOString(), envelope });
            this.emit({
              kind: 'delivered',
              at: this.clock.now(),
              functionName: fn.functionName,
              text: `${envelope.detail.eventName} → ${fn.functionName}`,
            });
            await this.invoke(fn.functionName, handler, envelope);
            await this.drainStream();
          },
        });
      }
      for (const schedule of fn.schedules) this.schedule(fn.functionName, handler, schedule);
    }
  }

  /**
   * The stream event source mappings: every new table record goes, in order, to each function whose filter
   * patterns (read from serverless.yml) it matches, in one batch per function; repeated until the stream is
   * quiet (the projector's writes are findings the notifier reads).
   */
  async drainStream(): Promise<void> {
    if (!this.poller || this.streamConsumers.length === 0) return;
    for (let round = 0; round < 20; round++) {
      const batch: DynamoDBStreamEvent = await this.poller.poll();
      if (batch.Records.length === 0) return;
      for (const consumer of this.streamConsumers) {
        const records = batch.Records.filter((r) => acceptedBy(consumer, r));
        if (records.length === 0) continue;
        const answer = (await this.invoke(consumer.functionName, consumer.handler, { Records: records }).catch(
          () => undefined,
        )) as { batchItemFailures?: unknown[] } | undefined;
        if (answer?.batchItemFailures?.length) {
          const text = `reported ${answer.batchItemFailures.length} batch item failure(s)`;
          this.handlerErrors.push({ functionName: consumer.functionName, error: text });
          this.emit({ kind: 'handler-error', at: this.clock.now(), functionName: consumer.functionName, text });
        }
        if (consumer.functionName === 'project') {
          this.emit({
            kind: 'projected',
            at: this.clock.now(),
            functionName: 'project',
            text: `${records.length} new events`,
          });
          for (const hook of this.projectionHooks) await hook(this.clock.now());
        } else {
          for (const hook of this.streamHooks) await hook(consumer.functionName, this.clock.now());
        }
      }
    }
  }

  private async callHandler(functionName: string, handler: LabHandler, event: unknown): Promise<unknown> {
    try {
      return await handler(event, lambdaContext(functionName));
    } finally {
      this.emitSlack(functionName);
    }
  }

  /** Slack messages the lab accepted since the last look, as activity (npm start prints them when sent). */
  private emitSlack(functionName: string): void {
    for (; this.slackSeen < this.slack.received.length; this.slackSeen++) {
      const received = this.slack.received[this.slackSeen] as SlackReceived;
      this.emit({ kind: 'slack', at: this.clock.now(), functionName, text: received.method, slack: received });
    }
  }

  private async invoke(functionName: string, handler: LabHandler, event: unknown): Promise<unknown> {
    try {
      return await this.callHandler(functionName, handler, event);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.handlerErrors.push({ functionName, error: message });
      this.emit({ kind: 'handler-error', at: this.clock.now(), functionName, text: message });
      throw error;
    }
  }

  /**
   * Invokes a function now as one of its schedules would (e.g. `report` with `{ period: 'daily' }`), with
   * its activity and Slack messages emitted, then drains the stream.
   * @throws the handler's error (also recorded in errors()); Error for a function serverless.yml lacks.
   */
  async runScheduled(functionName: string, input?: unknown): Promise<unknown> {
    const handler = this.handlers.get(functionName);
    if (!handler) throw new Error(`no function ${functionName} in serverless.yml`);
    this.emit({ kind: 'scheduled', at: this.clock.now(), functionName, text: `run now → ${functionName}` });
    const result = await this.invoke(functionName, handler, scheduledEvent(this.options, this.clock.now(), input));
    await this.drainStream();
    return result;
  }

  private schedule(functionName: string, handler: LabHandler, schedule: FunctionRules['schedules'][number]): void {
    const everyMs = rateToMs(schedule.rate);
    const fire = async () => {
      this.clock.after(everyMs, fire);
      this.emit({ kind: 'scheduled', at: this.clock.now(), functionName, text: `${schedule.rate} → ${functionName}` });
      await this.invoke(functionName, handler, scheduledEvent(this.options, this.clock.now(), schedule.input)).catch(
        () => undefined,
      );
      // What a scheduled function appended to the event log (reconcile's repairs and observations) is projected.
      await this.drainStream();
      for (const hook of this.scheduledHooks) await hook(functionName, this.clock.now());
    };
    this.clock.after(everyMs, fire);
  }
}

/** DynamoDB event filtering uses EventBridge pattern syntax on the stream record (Lambda "Event filtering"). */
function acceptedBy(consumer: StreamConsumer, record: DynamoDBRecord): boolean {
  return consumer.filterPatterns.length === 0 || consumer.filterPatterns.some((p) => matchesPattern(p, record));
}

/** serverless.yml says functions/ingest.handler: the module is functions/ingest.ts, the export `handler`. */
function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

export function rateToMs(rate: string): number {
  const match = rate.match(/^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/);
  if (!match) throw new Error(`unsupported schedule expression ${rate} (the lab plays rate(...) schedules)`);
  const unit = match[2]?.startsWith('minute') ? 60_000 : match[2]?.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(match[1]) * unit;
}

function scheduledEvent(options: LabOptions, at: Date, input: unknown): unknown {
  if (input !== undefined) return input;
  return {
    version: '0',
    id: `lab-${at.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: options.account,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: options.region,
    resources: [],
    detail: {},
  };
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:lab:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `lab-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'lab',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
