/** Human-readable rendering of connectors (timeline) and findings for the terminal. */
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

export function renderFinding(finding: Finding, connectorName?: string | null): string {
  const severity = SEVERITY_STYLE[finding.severity](finding.severity.toUpperCase().padEnd(8));
  const status = finding.status === 'open' ? style.bold('open    ') : style.green('resolved');
  const who = connectorName ?? finding.connectorId;
  return `${severity} ${status} ${style.magenta(finding.rule)} ${style.dim(who)}\n           ${finding.summary}`;
}

export function renderConnectorTable(views: ConnectorView[]): string {
  const header = ['connector', 'state', 'ENIs', 'MicroVMs running', 'created', 'active', 'deleted'];
  const rows = views.map((v) => [
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
