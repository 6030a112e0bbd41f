/**
 * `egress-watch enis [--json] [--function <name> [--detach]] [--scenario <name>] [--account <id>] [--region <r>]`
 * (docs/hyperplane-enis.md): the Lambda Hyperplane ENIs of an account/region, attributed to the functions
 * that share them (subnet + security-group set), idle ones and when Lambda may reclaim them, and — with
 * `--function` — what deleting (or, with `--detach`, detaching) that function leaves behind.
 *
 * - With AWS credentials or AWS_ENDPOINT_URL (e.g. `egress-watch lab serve`) and no --scenario: reads that
 *   account, read-only (EC2 Describe*, Lambda ListFunctions/GetFunctionConfiguration).
 * - Otherwise: plays the scenario (default `lambda-enis`) on the embedded lab and reads it over HTTP with the
 *   same clients at the lab's virtual time.
 */
import { playScenario } from '../lab/scenarios/runner.js';
import { loadScenarioFile } from '../lab/scenarios/scenario-file.js';
import { type HyperplaneInspection, inspectHyperplaneEnis } from '../shared/app/inspect-hyperplane-enis.js';
import { createEc2Client, type Ec2ClientSettings, Ec2NetworkFactsSource } from '../shared/aws/ec2-network-facts.js';
import { createLambdaClient, SdkLambdaFunctionSource } from '../shared/aws/lambda-functions.js';
import { UsageError } from '../shared/domain/errors.js';
import type {
  BlockedResource,
  FunctionTeardown,
  HyperplaneEniEntry,
  HyperplaneReport,
  TeardownAction,
} from '../shared/domain/hyperplane-enis.js';
import type { Clock, Scope } from '../shared/ports.js';
import { parseCommandArgs } from './args.js';
import { openLocalStore } from './local-store.js';
import { style } from './terminal-style.js';

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/** What `--json` prints: one object. */
export interface EnisOutput extends Omit<HyperplaneInspection, 'snapshot'> {
  target: string;
}

interface Request {
  functionName?: string;
  action: TeardownAction;
}

/** Runs the command; returns the exit code (0, whatever the ENIs' state). */
export async function enisCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      function: { type: 'string' },
      detach: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      account: { type: 'string' },
      region: { type: 'string' },
    },
  });
  if (values.detach && !values.function) throw new UsageError('--detach goes with --function <name>');
  const request: Request = {
    ...(values.function ? { functionName: values.function } : {}),
    action: values.detach ? 'detach' : 'delete',
  };
  const endpoint = env.AWS_ENDPOINT_URL;
  const live = values.scenario === undefined && (endpoint || CREDENTIAL_VARIABLES.some((v) => env[v]));
  let out: EnisOutput;
  if (live) {
    const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new UsageError('enis needs a region (--region or AWS_REGION)');
    if (values.account !== undefined && !/^\d{12}$/.test(values.account)) {
      throw new UsageError(`--account must be a 12-digit account id, not "${values.account}"`);
    }
    const scope = { account: values.account ?? 'unknown', region };
    const settings = { region, ...(endpoint ? { endpoint } : {}) };
    out = {
      target: `${endpoint ? endpoint : `account ${values.account ?? '(from credentials)'}`} in ${region} (read-only)`,
      ...(await inspect(scope, settings, { now: () => new Date() }, request)),
    };
  } else {
    out = await againstLab(values.scenario ?? 'lambda-enis', request);
  }
  process.stdout.write(`${values.json ? JSON.stringify(out) : render(out)}\n`);
  return 0;
}

async function inspect(
  scope: Scope,
  settings: Ec2ClientSettings,
  clock: Clock,
  request: Request,
): Promise<Omit<HyperplaneInspection, 'snapshot'>> {
  const ec2 = createEc2Client(settings);
  const lambda = createLambdaClient(settings);
  try {
    const { report, teardown } = await inspectHyperplaneEnis(
      { source: new Ec2NetworkFactsSource(ec2), functions: new SdkLambdaFunctionSource(lambda), clock },
      scope,
      request,
    );
    return { report, teardown };
  } finally {
    ec2.destroy();
    lambda.destroy();
  }
}

async function againstLab(name: string, request: Request): Promise<EnisOutput> {
  const scenario = loadScenarioFile(name);
  const local = await openLocalStore({ tableName: `enis-${scenario.name}` });
  try {
    const { lab } = await playScenario({
      scenario,
      dynamodbEndpoint: local.endpoint,
      tableName: local.tableName,
      keepOpen: true,
    });
    try {
      // The lab accepts any key; its clock is virtual.
      const scope = { account: scenario.account, region: scenario.region };
      const settings = {
        region: scenario.region,
        endpoint: lab.url,
        credentials: { accessKeyId: 'LABENIS', secretAccessKey: 'lab' },
      };
      const result = await inspect(scope, settings, lab.clock, request);
      return { target: `lab scenario ${scenario.name} at ${lab.clock.now().toISOString()}`, ...result };
    } finally {
      await lab.close();
    }
  } finally {
    await local.close();
  }
}

const USAGE_COLOUR: Record<HyperplaneEniEntry['usage'], (t: string) => string> = {
  'in-use': style.green,
  attached: style.green,
  idle: style.yellow,
  unused: style.red,
  released: style.yellow,
};

function day(iso: string | null): string {
  return iso ? iso.replace(/:\d\d\.\d{3}Z$/, 'Z') : '?';
}

function renderEni(e: HyperplaneEniEntry): string[] {
  const users = e.users.map((u) => `${u.functionName}${u.versions.length > 1 ? ` (${u.versions.join(', ')})` : ''}`);
  const lines = [
    `${style.bold(e.networkInterfaceId)} ${USAGE_COLOUR[e.usage](e.usage.toUpperCase())}  ${e.subnetId} (${e.availabilityZone}) ${e.securityGroupIds.join(', ')}  ${e.status}`,
    `  users: ${users.length ? users.join(', ') : 'none'}${e.createdFor ? style.dim(`  · created for ${e.createdFor}`) : ''}${style.dim(`  · by ${e.attribution}`)}`,
  ];
  if (e.teardown) {
    const t = e.teardown;
    lines.push(
      `  teardown: Lambda deletes it within 20 min ${t.since ? `of ${day(t.since)} → by ${day(t.expectedBy)}` : '(start unknown)'}${t.overdue ? style.red(' OVERDUE: delete it by hand if the execution role is gone') : ''}`,
    );
  } else if (e.reclaimableFrom) {
    const exact = e.lastUse.basis === 'invocation';
    lines.push(
      `  last use ${day(e.lastUse.at)} (${e.lastUse.basis}) → reclaimable ${exact ? 'from' : 'not before'} ${day(e.reclaimableFrom)}${e.reclaimDue ? style.yellow(exact ? ' (due)' : ' (due unless invoked since)') : ''}`,
    );
  }
  return lines;
}

function renderBlocked(title: string, list: BlockedResource[], indent = ''): string[] {
  if (list.length === 0) return [];
  return [
    `${indent}${style.bold(title)}`,
    ...list.map(
      (b) =>
        `${indent}  ${b.id}: ${b.networkInterfaceIds.join(', ')}${b.heldBy.length ? ` · kept by ${b.heldBy.join(', ')}` : ''} · ${b.clearsBy ? `clears by ${day(b.clearsBy)}` : b.heldBy.length ? 'while they keep it' : 'clears when Lambda deletes them'}`,
    ),
  ];
}

function renderReport(report: HyperplaneReport): string[] {
  const lines = [
    style.dim(`facts captured ${report.capturedAt} · functions read: ${report.functionsRead ? 'yes' : 'no'}`),
    style.bold(`\nHyperplane ENIs: ${report.enis.length}`),
  ];
  for (const e of report.enis) lines.push(...renderEni(e));
  lines.push(
    '',
    ...renderBlocked(
      'Subnets EC2 would not delete (DependencyViolation) while these ENIs exist',
      report.blockedSubnets,
    ),
  );
  lines.push(
    ...renderBlocked('Security groups EC2 would not delete while these ENIs exist', report.blockedSecurityGroups),
  );
  return lines;
}

function renderTeardown(t: FunctionTeardown): string[] {
  const header =
    t.phase === 'planned'
      ? `If ${t.functionName} is ${t.action === 'delete' ? 'deleted' : 'detached from its VPC'} now:`
      : `${t.functionName}: teardown ${t.phase}`;
  const lines = [style.bold(`\n${header}`)];
  for (const e of t.enis) {
    lines.push(
      `  ${e.networkInterfaceId} ${e.subnetId} ${e.securityGroupIds.join(', ')}: ${e.deletedByLambda ? `Lambda deletes it within ${t.teardownMaxMinutes} min${e.expectedGoneBy ? ` (by ${day(e.expectedGoneBy)})` : ''}` : `stays, kept by ${e.keptBy.join(', ')}`}`,
    );
  }
  if (t.enis.length === 0) lines.push('  no Hyperplane ENI');
  if (t.overdue) lines.push(style.red('  overdue: the ENIs are still there after 20 minutes'));
  lines.push(
    ...renderBlocked('subnets EC2 would not delete yet', t.blockedSubnets, '  '),
    ...renderBlocked('security groups EC2 would not delete yet', t.blockedSecurityGroups, '  '),
  );
  return lines;
}

/** The readable rendering. */
export function render(out: EnisOutput): string {
  const lines = [style.bold(`egress-watch enis · ${out.target}`), ...renderReport(out.report)];
  if (out.teardown) lines.push(...renderTeardown(out.teardown));
  const notes = [...out.report.notes, ...(out.teardown?.notes ?? [])];
  if (notes.length) lines.push('', ...notes.map((n) => style.dim(`note: ${n}`)));
  return lines.join('\n');
}
