/**
 * `egress-watch reconcile [--json] [--scenario <name>] [--account <id>] [--region <r>]` (docs/reconcile.md):
 * runs one reconcile and prints what it repaired, observed and found.
 *
 * - With AWS credentials in the environment (and no --scenario): against the real account, read-only — only
 *   List/Get/Describe/LookupEvents calls go to AWS; the event log, facts and findings live in DynamoDB Local.
 * - Otherwise: plays the scenario (default lossy-day) on the embedded lab, then reconciles it once more at the
 *   lab's virtual time.
 */
import { playScenario } from '../lab/scenarios/runner.js';
import { loadScenarioFile } from '../lab/scenarios/scenario-file.js';
import { projectScopes } from '../shared/app/project-scopes.js';
import { type ReconcileReport, reconcileScope } from '../shared/app/reconcile.js';
import { createReconcileWiring } from '../shared/aws/reconcile-wiring.js';
import { UsageError } from '../shared/domain/errors.js';
import type { ConnectorView, Finding } from '../shared/domain/model.js';
import type { Clock, Scope } from '../shared/ports.js';
import { loadIngestRuleNames, loadReconcileSettings } from '../shared/reconcile-config.js';
import type { AwsClientSettings } from '../shared/runtime.js';
import { parseCommandArgs } from './args.js';
import { openLocalStore } from './local-store.js';
import { renderConnectorTable, renderFinding } from './render.js';
import { style } from './terminal-style.js';

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

interface Outcome {
  target: string;
  report: ReconcileReport;
  apiCalls: Record<string, number>;
  connectors: ConnectorView[];
  findings: Finding[];
}

/** Runs the command; returns the exit code (0 even with findings). */
export async function reconcileCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      account: { type: 'string' },
      region: { type: 'string' },
    },
  });
  const real = values.scenario === undefined && CREDENTIAL_VARIABLES.some((v) => process.env[v]);
  const outcome = real
    ? await againstAccount(values.account, values.region ?? process.env.AWS_REGION)
    : await againstLab(values.scenario ?? 'lossy-day');
  if (values.json) {
    const { target, report, apiCalls, connectors, findings } = outcome;
    process.stdout.write(`${JSON.stringify({ target, report, apiCalls, connectors, findings })}\n`);
  } else {
    print(outcome);
  }
  return 0;
}

async function againstLab(name: string): Promise<Outcome> {
  const scenario = loadScenarioFile(name);
  const local = await openLocalStore({ tableName: `reconcile-${scenario.name}` });
  try {
    const result = await playScenario({
      scenario,
      dynamodbEndpoint: local.endpoint,
      tableName: local.tableName,
      keepOpen: true,
    });
    const { lab } = result;
    try {
      await lab.settle(30 * 60_000);
      await lab.drainStream();
      const scope = { account: scenario.account, region: scenario.region };
      const aws = {
        region: scenario.region,
        endpoint: lab.url,
        credentials: { accessKeyId: 'LABRECONCILE', secretAccessKey: 'lab' },
      };
      const run = await runOnce(scope, local.tableName, local.endpoint, lab.clock, new Set([scenario.account]), aws);
      await lab.drainStream();
      return {
        ...run,
        target: `lab scenario ${scenario.name} at ${lab.clock.now().toISOString()}`,
        ...(await stateOf(local, scope)),
      };
    } finally {
      await lab.close();
    }
  } finally {
    await local.close();
  }
}

async function againstAccount(account: string | undefined, region: string | undefined): Promise<Outcome> {
  if (!region) throw new UsageError('reconcile against AWS needs a region (--region or AWS_REGION)');
  if (!account || !/^\d{12}$/.test(account)) {
    throw new UsageError('reconcile against AWS needs --account <12-digit id> (the account the credentials read)');
  }
  const local = await openLocalStore({ tableName: `reconcile-${account}-${region}` });
  try {
    const scope = { account, region };
    const run = await runOnce(scope, local.tableName, local.endpoint, { now: () => new Date() }, new Set([account]));
    await projectScopes({ store: local.store }, [scope]);
    return { ...run, target: `account ${account} in ${region} (read-only)`, ...(await stateOf(local, scope)) };
  } finally {
    await local.close();
  }
}

async function runOnce(
  scope: Scope,
  tableName: string,
  dynamodbEndpoint: string,
  clock: Clock,
  allowedAccounts: ReadonlySet<string>,
  aws?: AwsClientSettings,
): Promise<Pick<Outcome, 'report' | 'apiCalls'>> {
  const wiring = createReconcileWiring({
    region: scope.region,
    tableName,
    dynamodbEndpoint,
    allowedAccounts,
    clock,
    settings: loadReconcileSettings(),
    ...(aws ? { aws } : {}),
    // monitoring-blind: the region's trails, and the ingest rules EGRESS_WATCH_INGEST_RULES names (if any).
    monitoring: { ingestRuleNames: loadIngestRuleNames() },
  });
  try {
    const report = await reconcileScope(wiring.deps, scope);
    return { report, apiCalls: Object.fromEntries(wiring.calls.calls) };
  } finally {
    wiring.destroy();
  }
}

async function stateOf(
  local: Awaited<ReturnType<typeof openLocalStore>>,
  scope: Scope,
): Promise<Pick<Outcome, 'connectors' | 'findings'>> {
  const [connectors, findings] = await Promise.all([
    local.store.listConnectors(scope),
    local.store.listFindings(scope),
  ]);
  return { connectors, findings };
}

function print(outcome: Outcome): void {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const { report } = outcome;
  write(style.bold(`egress-watch reconcile · ${outcome.target}`));
  write(style.dim(`CloudTrail window ${report.window.start} → ${report.window.end}`));
  write(
    `${report.connectors} connectors · ${report.microvms} MicroVMs · ${report.networkInterfaces} ENIs · ` +
      `${report.delivered} window events already delivered · ${report.repaired.length} repaired`,
  );
  for (const r of report.repaired) {
    write(`  repaired ${r.eventName} ${r.eventId} (${r.eventSource}) ${Math.round(r.lateByMs / 60_000)} min late`);
  }
  write(style.bold(`\nObservations written: ${report.observations.length}`));
  for (const o of report.observations) write(`  ${o.kind.padEnd(20)} ${o.summary}`);
  write(style.bold(`\nConditions: ${report.conditions.length}`));
  for (const c of report.conditions) write(`  ${c.rule.padEnd(26)} ${c.summary}`);
  const calls = Object.entries(outcome.apiCalls).map(([op, n]) => `${op} ${n}`);
  write(style.dim(`\nAPI calls: ${calls.join(' · ')}`));
  write(style.bold('\nConnectors'));
  write(renderConnectorTable(outcome.connectors));
  const names = new Map(outcome.connectors.map((c) => [c.id, c.name]));
  const open = outcome.findings.filter((f) => f.status === 'open');
  write(style.bold(`\nOpen findings: ${open.length}`));
  for (const f of open) write(renderFinding(f, names.get(f.connectorId) ?? null));
}
