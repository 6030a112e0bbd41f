/** Human-readable rendering of connectors (timeline) and findings for the terminal. */
import { SCOPE_OWNER } from '../shared/domain/connector-lifecycle.js';
import type { ConnectorView, Finding, Severity } from '../shared/domain/model.js';
import { style } from './terminal-style.js';

const SEVERITY_STYLE: Record<Severity, (t: string) => string> = {
  critical: (t) => style.bold(style.red(t)),
  high: style.red,
  warning: style.yellow,
  info: style.blue,
};

export function clockTime(iso: string | null): string {
  return iso ? iso.slice(11, 19) : '--:--:--';
}

export function renderConnector(view: ConnectorView): string {
  const lines: string[] = [];
  const stateColor = view.state === 'ACTIVE' ? style.green : view.state === 'FAILED' ? style.red : style.yellow;
  lines.push(`${style.bold(view.name ?? view.id)} ${style.dim(view.id)}  ${stateColor(view.state)}`);
  lines.push(
    style.dim(
      `  subnets ${view.subnetIds.join(', ') || '?'} · security groups ${view.securityGroupIds.join(', ') || '?'} · ` +
        `created ${view.createdAt ?? '?'} · active ${view.activeAt ?? '?'} · deleted ${view.deletedAt ?? '-'}`,
    ),
  );
  for (const eni of view.enis) {
    lines.push(
      style.dim(
        `  ENI ${eni.id} ${eni.purpose} ${eni.privateIp ?? ''} ${eni.subnetId ?? ''} ${eni.availabilityZone ?? ''} ` +
          `created ${clockTime(eni.createdAt)}${eni.deletedAt ? ` deleted ${clockTime(eni.deletedAt)}` : ''}`,
      ),
    );
  }
  for (const entry of view.timeline) {
    lines.push(`  ${style.cyan(clockTime(entry.at))}  ${entry.summary}  ${style.dim(`— ${entry.actor}`)}`);
  }
  return lines.join('\n');
}

/**
 * One finding as two lines: severity, status, rule id, the connector (its name, or `account-wide` for a finding
 * of the account/region itself) and, with `showScope` (runs over several accounts/regions), `account/region`.
 */
export function renderFinding(
  finding: Finding,
  connectorName?: string | null,
  options: { showScope?: boolean } = {},
): string {
  const severity = SEVERITY_STYLE[finding.severity](finding.severity.toUpperCase().padEnd(8));
  const status = finding.status === 'open' ? style.bold('open    ') : style.green('resolved');
  const who = connectorName ?? (finding.connectorId === SCOPE_OWNER ? 'account-wide' : finding.connectorId);
  const where = options.showScope ? ` ${style.dim(`${finding.account}/${finding.region}`)}` : '';
  return `${severity} ${status} ${style.magenta(finding.rule)} ${style.dim(who)}${where}\n           ${finding.summary}`;
}

/** The connectors as a table; with `showScope` (several accounts/regions) a first `account/region` column. */
export function renderConnectorTable(views: ConnectorView[], options: { showScope?: boolean } = {}): string {
  const scoped = options.showScope === true;
  const header = [
    ...(scoped ? ['account/region'] : []),
    'connector',
    'state',
    'ENIs',
    'MicroVMs running',
    'created',
    'active',
    'deleted',
  ];
  const rows = views.map((v) => [
    ...(scoped ? [`${v.account}/${v.region}`] : []),
    v.name ?? v.id,
    v.state,
    String(v.enis.filter((e) => !e.deletedAt).length),
    String(v.microvms.filter((m) => !m.terminatedAt).length),
    clockTime(v.createdAt),
    clockTime(v.activeAt),
    clockTime(v.deletedAt),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [style.bold(line(header)), ...rows.map(line)].join('\n');
}
