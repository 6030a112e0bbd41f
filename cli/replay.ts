/**
 * `egress-watch replay <file|dir> [--json]`: feeds EventBridge events through the same ingest and projection
 * use cases as the Lambdas, on DynamoDB Local, and prints the result (format: docs/architecture.md#replay-json).
 */
import { existsSync } from 'node:fs';
import { type IngestCounts, ingestEvents } from '../shared/app/ingest-events.js';
import { projectScopes } from '../shared/app/project-scopes.js';
import type { CliConfig } from '../shared/config.js';
import { UsageError } from '../shared/domain/errors.js';
import type { EventConflict } from '../shared/domain/event-identity.js';
import type { ConnectorView, Finding } from '../shared/domain/model.js';
import type { MonitorStore, Scope } from '../shared/ports.js';
import { loadEventInputs } from './event-files.js';
import { openLocalStore } from './local-store.js';
import { renderConnector, renderFinding } from './render.js';
import { style } from './terminal-style.js';

export interface ReplayOutput {
  connectors: {
    id: string;
    name: string | null;
    arn: string | null;
    state: string;
    subnetIds: string[];
    securityGroupIds: string[];
    createdAt: string | null;
    activeAt: string | null;
    deletedAt: string | null;
    enis: {
      id: string;
      subnetId: string | null;
      privateIp: string | null;
      purpose: 'validation' | 'production';
      createdAt: string;
      deletedAt: string | null;
    }[];
    microvms: string[];
  }[];
  findings: {
    rule: string;
    severity: string;
    status: string;
    connectorId: string;
    fingerprint: string;
    firstSeen: string;
    lastSeen: string;
    summary: string;
  }[];
  ignored: { eventId: string; reason: string }[];
  rejected: { eventId: string | null; error: string }[];
  /** Every input in exactly one bucket: received = stored + duplicates + ignored + rejected. */
  counts: IngestCounts;
  /** eventIDs stored with different contents: every variant, and the one applied (docs/projection.md). */
  conflicts?: EventConflict[];
}

export interface ReplayResult {
  output: ReplayOutput;
  views: ConnectorView[];
  findings: Finding[];
}

export const SAMPLE_ACCOUNT = '111122223333';

export async function replayEvents(
  store: MonitorStore,
  events: unknown[],
  allowedAccounts: ReadonlySet<string>,
): Promise<ReplayResult> {
  const report = await ingestEvents(
    { log: store, allowedAccounts, clock: { now: () => new Date() }, concurrency: 8 },
    events,
  );
  await projectScopes({ store }, report.scopes);
  const views: ConnectorView[] = [];
  const findings: Finding[] = [];
  const conflicts: EventConflict[] = [];
  for (const scope of sortScopes(report.scopes)) {
    views.push(...(await store.listConnectors(scope)));
    findings.push(...(await store.listFindings(scope)));
    conflicts.push(...(await store.listConflicts(scope)));
  }
  const output = toReplayOutput(views, findings, report.ignored, report.rejected, report.counts);
  return { output: { ...output, conflicts }, views, findings };
}

function sortScopes(scopes: Scope[]): Scope[] {
  return [...scopes].sort((a, b) => `${a.account}/${a.region}`.localeCompare(`${b.account}/${b.region}`));
}

export function toReplayOutput(
  views: ConnectorView[],
  findings: Finding[],
  ignored: { eventId: string; reason: string }[],
  rejected: { eventId: string | null; error: string }[],
  counts: IngestCounts,
): ReplayOutput {
  return {
    connectors: views.map((v) => ({
      id: v.id,
      name: v.name,
      arn: v.arn,
      state: v.state,
      subnetIds: v.subnetIds,
      securityGroupIds: v.securityGroupIds,
      createdAt: v.createdAt,
      activeAt: v.activeAt,
      deletedAt: v.deletedAt,
      enis: v.enis.map((e) => ({
        id: e.id,
        subnetId: e.subnetId,
        privateIp: e.privateIp,
        purpose: e.purpose,
        createdAt: e.createdAt,
        deletedAt: e.deletedAt,
      })),
      microvms: v.microvms.map((m) => m.id),
    })),
    findings: findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      status: f.status,
      connectorId: f.connectorId,
      fingerprint: f.fingerprint,
      firstSeen: f.firstSeen,
      lastSeen: f.lastSeen,
      summary: f.summary,
    })),
    // Sorted so a shuffled input prints the same lists; never merged, so each entry is one input.
    ignored: sortedBy(ignored, (i) => `${i.eventId}\u0000${i.reason}`),
    rejected: sortedBy(rejected, (r) => `${r.eventId ?? ''}\u0000${r.error}`),
    counts,
  };
}

function sortedBy<T>(items: T[], key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, key: key(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => item);
}

export function renderReplay(result: ReplayResult): string {
  const { output, views, findings } = result;
  const names = new Map(views.map((v) => [v.id, v.name]));
  const parts: string[] = [];
  parts.push(style.bold(`Connectors (${views.length})`));
  for (const view of views) parts.push(renderConnector(view), '');
  parts.push(
    style.bold(`Findings (${findings.filter((f) => f.status === 'open').length} open, ${findings.length} total)`),
  );
  for (const finding of findings) parts.push(renderFinding(finding, names.get(finding.connectorId)));
  if (output.ignored.length > 0) {
    parts.push('', style.bold(`Ignored (${output.ignored.length})`));
    for (const i of output.ignored) parts.push(style.dim(`  ${i.eventId}: ${i.reason}`));
  }
  if (output.rejected.length > 0) {
    parts.push('', style.bold(style.red(`Rejected (${output.rejected.length})`)));
    for (const r of output.rejected) parts.push(`  ${r.eventId ?? '(no eventID)'}: ${r.error}`);
  }
  return parts.join('\n');
}

/** `replay`'s command line, and the environment read through shared/config.ts. */
export interface ReplayCommandOptions {
  target: string;
  json: boolean;
  allowAccounts: string[];
  config: Readonly<CliConfig>;
}

/**
 * Runs `egress-watch replay` and writes its output to stdout. Returns the exit code: 0, even with findings
 * or rejected inputs.
 * @throws UsageError when the target does not exist or an `--allow-account` is not 12 digits.
 * @throws IngestInterruptedError (a DependencyError, exit 1) when the store failed past its retry budget;
 *   its message says how far the run got.
 */
export async function replayCommand(options: ReplayCommandOptions): Promise<number> {
  const allowed = resolveAllowList(options.allowAccounts, options.config);
  if (!existsSync(options.target)) throw new UsageError(`no such file or directory: ${options.target}`);
  const events = loadEventInputs(options.target);
  const local = await openLocalStore({ config: options.config });
  try {
    const result = await replayEvents(local.store, events, allowed);
    process.stdout.write(options.json ? `${JSON.stringify(result.output, null, 2)}\n` : `${renderReplay(result)}\n`);
    return 0;
  } finally {
    await local.close();
  }
}

/**
 * --allow-account flags, else EGRESS_WATCH_ALLOWED_ACCOUNTS (read by loadCliConfig), else only the sample
 * account (said on stderr).
 * @throws UsageError when a flag value is not a 12-digit account id.
 */
export function resolveAllowList(flags: string[], config: Pick<CliConfig, 'allowedAccounts'>): Set<string> {
  const malformed = flags.filter((flag) => !/^\d{12}$/.test(flag));
  if (malformed.length > 0)
    throw new UsageError(`--allow-account takes a 12-digit AWS account id, got ${malformed.join(', ')}`);
  if (flags.length > 0) return new Set(flags);
  if (config.allowedAccounts) return new Set(config.allowedAccounts);
  process.stderr.write(
    `egress-watch: no account allow-list given; accepting only the sample account ${SAMPLE_ACCOUNT} ` +
      '(use --allow-account or EGRESS_WATCH_ALLOWED_ACCOUNTS)\n',
  );
  return new Set([SAMPLE_ACCOUNT]);
}
