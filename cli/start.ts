/**
 * `egress-watch start`: boots DynamoDB Local and the lab, plays a scenario with a live timeline (API calls,
 * late EventBridge deliveries, findings as they open and resolve), prints the final connector table and
 * findings, and writes out/<scenario>/ (CloudTrail, delivered events, Slack and SNS captures, final state).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ReportResult } from '../functions/report.js';
import type { Lab } from '../lab/lab.js';
import { playScenario, type ScenarioReporter, type ScenarioResult } from '../lab/scenarios/runner.js';
import { loadScenarioFile, scenarioNames } from '../lab/scenarios/scenario-file.js';
import type { CloudTrailRecord } from '../lab/trail/record.js';
import { SqsDeadLetterCounts } from '../shared/aws/sqs-dead-letter-counts.js';
import { actorOf, describeActor, type UserIdentity } from '../shared/domain/actor.js';
import { SCOPE_OWNER } from '../shared/domain/connector-lifecycle.js';
import { renderForTerminal } from '../shared/slack/blocks.js';
import { numberFlag, parseCommandArgs } from './args.js';
import { type LocalStore, openLocalStore } from './local-store.js';
import { clockTime, renderConnectorTable, renderFinding } from './render.js';
import { writeLocalReport } from './report.js';
import { style } from './terminal-style.js';

export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      scenario: { type: 'string', default: 'article' },
      speed: { type: 'string', default: '0' },
      out: { type: 'string', default: 'out' },
      'clean-delivery': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const scenario = loadScenarioFile(values.scenario ?? 'article');
  const speed = numberFlag('speed', values.speed, { min: 0, meaning: 'virtual seconds per real second (0 = fast)' });
  const write = (line: string) => process.stdout.write(`${line}\n`);

  const started = Date.now();
  const local = await openLocalStore({ tableName: `lab-${scenario.name}` });
  try {
    write(style.bold(`egress-watch · embedded lab · scenario "${scenario.name}"`));
    write(style.dim(`${scenario.title}`));
    write(style.dim(`DynamoDB Local ${local.endpoint} · scenarios: ${scenarioNames().join(', ')}`));
    const delivery = values['clean-delivery']
      ? { delayMs: 0, jitterMs: 0, reorder: false, duplicateRate: 0, lossRate: 0 }
      : undefined;
    write(style.dim(`EventBridge delivery: ${describeDelivery(delivery ?? scenario.lab.delivery ?? {})}`));
    write('');
    const outDir = join(values.out ?? 'out', scenario.name);
    let report = '';
    let scheduled = '';
    const result = await playScenario({
      scenario,
      dynamodbEndpoint: local.endpoint,
      tableName: local.tableName,
      speed,
      reporter: liveReporter(write, values.quiet ?? false),
      ...(delivery ? { delivery } : {}),
      // While the lab is up: the scenario's report (dead letters read from the lab's SQS), then the report
      // function as its daily schedule runs it (stored in the lab's S3, summary posted to the lab's Slack).
      beforeClose: async (lab) => {
        report = await writeScenarioReport(local, lab, scenario.start, outDir);
        scheduled = await runScheduledReport(lab);
      },
    });
    write('');
    printSummary(write, result);
    writeOutputs(outDir, result);
    write(
      style.dim(
        `\nwrote ${outDir}/ (cloudtrail.jsonl, delivered-events.jsonl, delivery-log.json, slack.json, sns.json, state.json, report.html, report.json) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      ),
    );
    write(`report: ${style.bold(report)}`);
    write(style.dim(`scheduled report (daily): ${scheduled}`));
    const unmet = result.expectations.filter((e) => !e.met).length;
    return result.failedSteps === 0 && unmet === 0 && result.lab.errors().length === 0 ? 0 : 1;
  } finally {
    await local.close();
  }
}

/**
 * The canary report of the scenario's virtual time span, from the scenario's table, with the lab's
 * notifications dead-letter queue counted: out/<scenario>/report.html.
 */
async function writeScenarioReport(local: LocalStore, lab: Lab, start: string, outDir: string): Promise<string> {
  const since = Date.parse(start);
  const until = Math.max(lab.clock.nowMs() + 1000, since + 60_000);
  const htmlPath = resolve(outDir, 'report.html');
  const sqs = new SQSClient(lab.functionRuntime().aws);
  try {
    await writeLocalReport({
      client: local.client,
      tableName: local.tableName,
      sinceMs: until - since,
      until: new Date(until),
      htmlPath,
      deadLetters: new SqsDeadLetterCounts({
        client: sqs,
        queues: [{ name: 'notifications', queueUrl: lab.alerting.deadLetterQueueUrl }],
      }),
    });
  } finally {
    sqs.destroy();
  }
  return htmlPath;
}

/** Runs the report function as its daily schedule would; says where it stored the report and whether it posted. */
async function runScheduledReport(lab: Lab): Promise<string> {
  try {
    const out = (await lab.runScheduled('report', { period: 'daily' })) as ReportResult;
    return `s3://${lab.alerting.reportBucket}/${out.htmlKey} in the lab${out.posted ? ', summary posted to Slack' : ''}`;
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function describeDelivery(delivery: Record<string, unknown>): string {
  const delay = Number(delivery.delayMs ?? 0);
  const jitter = Number(delivery.jitterMs ?? 0);
  if (delay === 0 && jitter === 0 && !delivery.duplicateRate && !delivery.lossRate)
    return 'immediate, in order, exactly once';
  const parts = [`${Math.round(delay / 60_000)}–${Math.round((delay + jitter) / 60_000)} min late`];
  if (delivery.reorder) parts.push('reordered');
  if (delivery.duplicateRate) parts.push(`${Math.round(Number(delivery.duplicateRate) * 100)}% duplicated`);
  if (delivery.lossRate) parts.push(`${Math.round(Number(delivery.lossRate) * 100)}% lost`);
  return parts.join(', ');
}

function actorText(record: CloudTrailRecord): string {
  return describeActor(actorOf(record.userIdentity as UserIdentity));
}

function liveReporter(write: (line: string) => void, quiet: boolean): ScenarioReporter {
  return {
    activity(activity) {
      const t = style.cyan(clockTime(activity.at.toISOString()));
      if (activity.kind === 'cloudtrail' && activity.record) {
        const r = activity.record;
        const failed = r.errorCode ? style.red(` ✗ ${r.errorCode}`) : '';
        if (!quiet)
          write(`${t}  ${style.dim('CloudTrail')} ${r.eventName}${failed} ${style.dim(`by ${actorText(r)}`)}`);
      } else if (activity.kind === 'delivered') {
        if (!quiet) write(`${t}  ${style.dim(`  ↳ EventBridge → ${activity.text}`)}`);
      } else if (activity.kind === 'slack' && activity.slack) {
        const m = activity.slack;
        const how =
          m.method === 'chat.update'
            ? `updates message ${m.ts}`
            : m.threadTs
              ? `replies in thread ${m.threadTs}`
              : `posts${m.ts ? ` message ${m.ts}` : ''}`;
        write(`${t}  ${style.bold('✉ Slack')} ${style.dim(`${m.method} to ${m.channel}: ${how}`)}`);
        for (const line of renderForTerminal(m.payload as { text?: string; blocks?: unknown[] })) {
          write(`          ${style.dim('│')} ${line}`);
        }
      } else if (activity.kind === 'handler-error') {
        write(`${t}  ${style.red(`handler ${activity.functionName} failed: ${activity.text}`)}`);
      }
    },
    step(at, step, outcome) {
      const mark = outcome.ok ? style.green('✓') : style.red('✗');
      const who = step.as ? `${step.as}: ` : '';
      const what = step.say ?? step.call ?? 'step';
      write(`${style.cyan(clockTime(at.toISOString()))}  ${mark} ${style.bold(`${who}${what}`)}`);
      if (step.probe || !outcome.ok) write(`          ${style.dim(outcome.detail)}`);
    },
    canaryRun(at, run, previous) {
      const t = style.cyan(clockTime(run.startedAt));
      const met = run.probes.filter((p) => p.met).length;
      const changed =
        !previous ||
        previous.met !== run.met ||
        run.probes.some((p) => previous.probes.find((q) => q.targetId === p.targetId)?.verdict !== p.verdict);
      if (run.blindReason) {
        write(`${t}  ${style.red('◉ canary')} ${run.connectorName} ${style.red(`cannot probe: ${run.blindReason}`)}`);
        return;
      }
      const how = run.reprobe ? ` ${style.bold('re-probe')} ${style.dim(`(${run.reprobe.slice(0, 90)})`)}` : '';
      const head = `${t}  ${run.met ? style.green('◉ canary') : style.red('◉ canary')} ${run.connectorName} ${met}/${run.probes.length} as expected ${style.dim(`(${run.microvmSeconds} MicroVM-s)`)}${how}`;
      if (!changed) {
        if (!quiet) write(head);
        return;
      }
      write(`${head} ${style.bold('verdicts changed')}`);
      for (const p of run.probes) {
        const mark = p.met ? style.green('✓') : style.red('✗');
        const seen = p.observedIp ? ` seen as ${p.observedIp}` : p.resolvedAddress ? ` → ${p.resolvedAddress}` : '';
        write(
          `          ${mark} ${p.kind.padEnd(9)} ${p.target} ${p.verdict}${seen}${p.errorClass ? ` (${p.errorClass})` : ''}${p.met ? '' : style.red(`  expected ${p.expect}`)}`,
        );
      }
      void at;
    },
    canaryFinding(at, change, finding) {
      this.finding(at, change, finding, finding.connectorName ?? null);
      for (const b of finding.explanation?.blockers ?? []) {
        write(
          `          ${style.dim('blocked by')} ${b.component} ${b.id}${b.direction ? ` (${b.direction})` : ''}: ${b.detail}`,
        );
      }
    },
    pathCheck(at, _finding, check, connectorName) {
      const t = style.cyan(clockTime(at.toISOString()));
      const who = connectorName ?? check.connectorId;
      const probed =
        check.reprobe.connectorIds.length > 0
          ? `re-probed ${who}`
          : `no re-probe (${check.reprobe.skipped ?? check.skipped ?? 'not monitored'})`;
      write(
        `${t}  ${style.bold('⇄ path change')} ${who}: ${check.flips.length} of ${check.evaluated} expectation(s) flip · ${probed}`,
      );
      for (const f of check.flips) {
        write(`          ${style.red('flips')} ${f.targetId}: ${f.detail}`);
      }
    },
    finding(at, change, finding, connectorName) {
      const label =
        change === 'resolved'
          ? style.green('RESOLVED')
          : style.bold(style.red(change === 'opened' ? 'OPENED  ' : 'REOPENED'));
      write(
        `${style.cyan(clockTime(at.toISOString()))}  ⚑ ${label} ${finding.severity} ${style.magenta(finding.rule)} ${style.dim(connectorName ?? (finding.connectorId === SCOPE_OWNER ? `account-wide ${finding.account}/${finding.region}` : finding.connectorId))}`,
      );
      write(`          ${finding.summary}`);
    },
  };
}

function printSummary(write: (line: string) => void, result: ScenarioResult): void {
  // Several accounts/regions (the org scenario): say where each connector and finding is.
  const showScope = new Set([...result.connectors, ...result.findings].map((x) => `${x.account}/${x.region}`)).size > 1;
  write(style.bold('Connectors'));
  write(renderConnectorTable(result.connectors, { showScope }));
  write('');
  const names = new Map(result.connectors.map((c) => [c.id, c.name]));
  const open = result.findings.filter((f) => f.status === 'open');
  write(style.bold(`Findings: ${open.length} open, ${result.findings.length - open.length} resolved`));
  for (const finding of result.findings) write(renderFinding(finding, names.get(finding.connectorId), { showScope }));
  if (result.hyperplaneEnis.length > 0) {
    write('');
    write(style.bold(`Classic Lambda Hyperplane ENIs (kept apart from connectors): ${result.hyperplaneEnis.length}`));
    for (const eni of result.hyperplaneEnis) {
      write(
        `  ${eni.id ?? '?'} function ${eni.functionName ?? '?'} in ${eni.subnetId ?? '?'} since ${clockTime(eni.createdAt)}`,
      );
    }
  }
  write('');
  write(style.bold('Expected by the scenario'));
  for (const e of result.expectations) {
    write(`  ${e.met ? style.green('✓') : style.red('✗')} ${e.rule} ${e.status}`);
  }
  const errors = result.lab.errors();
  if (result.failedSteps > 0) write(style.red(`${result.failedSteps} scenario step(s) did not go as expected`));
  if (errors.length > 0) write(style.red(`${errors.length} handler invocation(s) failed (retried by the bus)`));
}

/** `{ subject, message, attributes }` per SNS publish, in order (message parsed when it is JSON). */
function snsCaptures(result: ScenarioResult) {
  return result.lab.sns.published.map((p) => {
    let message: unknown = p.message;
    try {
      message = JSON.parse(p.message);
    } catch {
      // a plain-text message stays a string
    }
    const attributes = Object.fromEntries(
      Object.entries(p.messageAttributes).map(([name, a]) => [name, a.stringValue ?? a.binaryValue ?? '']),
    );
    return { subject: p.subject ?? null, message, attributes, publishedAt: p.publishedAt };
  });
}

function writeOutputs(dir: string, result: ScenarioResult): void {
  mkdirSync(dir, { recursive: true });
  const jsonl = (items: unknown[]) => items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
  // Every world's CloudTrail (one in most scenarios; several in `org`), in time order.
  const records = result.lab.cells
    .flatMap((cell) => cell.trail.records())
    .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
  writeFileSync(join(dir, 'cloudtrail.jsonl'), jsonl(records));
  writeFileSync(join(dir, 'delivered-events.jsonl'), jsonl(result.lab.deliveries));
  writeFileSync(join(dir, 'delivery-log.json'), `${JSON.stringify(result.lab.bus.deliveryLog(), null, 2)}\n`);
  writeFileSync(join(dir, 'slack.json'), `${JSON.stringify(result.lab.slack.received, null, 2)}\n`);
  writeFileSync(join(dir, 'sns.json'), `${JSON.stringify(snsCaptures(result), null, 2)}\n`);
  const state = {
    scenario: { name: result.scenario.name, title: result.scenario.title },
    steps: result.steps.map((s) => ({ at: s.at, say: s.step.say ?? s.step.call ?? null, ...s.outcome })),
    connectors: result.connectors,
    findings: result.findings,
    expectations: result.expectations,
    handlerErrors: result.lab.errors(),
  };
  writeFileSync(join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}
