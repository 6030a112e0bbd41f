import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AlertsConfigError, loadAlertsConfig, routeChannel } from '../../../shared/alerts-config.js';
import type { IncidentTransition } from '../../../shared/domain/incidents.js';
import { snsAttributes, snsMessage, subjectLine } from '../../../shared/domain/notification-message.js';
import { RULE_IDS } from '../../../shared/domain/rules.js';
import { incidentMessage } from '../../../shared/slack/blocks.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('alerting configuration', () => {
  it('defaults to Slack off, caps reminders and parses routes and windows', () => {
    const c = loadAlertsConfig({
      EGRESS_WATCH_SLACK_MODE: 'bot',
      EGRESS_WATCH_SLACK_SECRET_NAME: '/egress-watch/prod/slack',
      EGRESS_WATCH_SLACK_ROUTES: 'critical=#sev1, tag:team:payments=#payments',
      EGRESS_WATCH_REMINDER_HOURS: '0.1',
      EGRESS_WATCH_REMINDER_MAX: '500',
      EGRESS_WATCH_MAINTENANCE_WINDOWS: JSON.stringify([
        {
          name: 'nat',
          start: '2026-07-01T00:00:00Z',
          end: '2026-07-01T02:00:00Z',
          reason: 'NAT swap',
          match: { rule: 'network-path-changed' },
        },
      ]),
    });
    expect(c.policy.reminders).toEqual({ everyMs: 3600_000, max: 48 });
    expect(routeChannel(c, { severity: 'critical', tags: [] })).toBe('#sev1');
    expect(routeChannel(c, { severity: 'high', tags: ['team:payments'] })).toBe('#payments');
    expect(routeChannel(c, { severity: 'high', tags: [] })).toBe('#egress-watch');
    expect(c.maintenanceWindows[0]).toMatchObject({ silenceId: 'window:nat', source: 'maintenance-window' });
    expect(loadAlertsConfig({}).slackMode).toBe('off');
  });

  it('rejects a Slack mode without a secret name, bad routes and windows that match everything', () => {
    expect(() => loadAlertsConfig({ EGRESS_WATCH_SLACK_MODE: 'bot' })).toThrow(/SECRET_NAME is required/);
    expect(() => loadAlertsConfig({ EGRESS_WATCH_SLACK_ROUTES: 'urgent=#x' })).toThrow(AlertsConfigError);
    expect(() =>
      loadAlertsConfig({
        EGRESS_WATCH_MAINTENANCE_WINDOWS:
          '[{"name":"x","start":"2026-07-01T00:00:00Z","end":"2026-07-01T01:00:00Z","reason":"r","match":{}}]',
      }),
    ).toThrow(/must match on/);
  });
});

describe('runbooks', () => {
  it('has docs/runbooks/<rule-id>.md for every rule id in the catalog', () => {
    expect(RULE_IDS.filter((id) => !existsSync(join(REPO, 'docs', 'runbooks', `${id}.md`)))).toEqual([]);
  });
});

describe('what a notification says', () => {
  const names = ['payments-egress-with-a-rather-long-name', 'orders-egress-with-a-rather-long-name', 'reports-egress'];
  const transition: IncidentTransition = {
    transitionId: 'opened',
    incidentId: 'inc-0123456789abcdef',
    kind: 'opened',
    at: '2026-07-09T02:10:00.000Z',
    silenced: null,
    openForMs: 0,
    incident: {
      incidentId: 'inc-0123456789abcdef',
      kind: 'finding',
      groupKey: 'change|ev-1',
      rule: 'network-path-changed',
      severity: 'high',
      status: 'open',
      account: '111122223333',
      region: 'ap-northeast-1',
      connectorIds: names.map((_, i) => `nc-${i}`),
      members: names.map((name, i) => ({
        fingerprint: `fp-${i}`,
        rule: 'network-path-changed',
        severity: 'high',
        status: 'open',
        connectorId: `nc-${i}`,
        connectorName: name,
        summary: `NAT gateway deleted under ${name}`,
        actor: 'role/NetworkTeam/bob',
        explanation: i === 0 ? 'route 0.0.0.0/0 → nat-1 is blackhole' : null,
        firstSeen: '2026-07-09T02:10:00.000Z',
        lastSeen: '2026-07-09T02:10:00.000Z',
        tags: [],
      })),
      actors: ['role/NetworkTeam/bob'],
      openedAt: '2026-07-09T02:10:00.000Z',
      resolvedAt: null,
      lastAnnouncedAt: '2026-07-09T02:10:00.000Z',
      reminders: 0,
      cycle: 1,
      lastChangeAt: '2026-07-09T02:10:00.000Z',
      silenced: null,
    },
  };

  it('SNS: subject under 100 characters, versioned message valid for the documented schema, all attributes', () => {
    expect(subjectLine(transition).length).toBeLessThan(100);
    const message = snsMessage(transition, 'https://example.com/runbooks');
    const schema = JSON.parse(readFileSync(join(REPO, 'docs', 'schemas', 'sns-message.v1.json'), 'utf8')) as {
      required: string[];
      properties: { incident: { required: string[] } };
    };
    expect(Object.keys(message).sort()).toEqual([...schema.required].sort());
    expect(Object.keys(message.incident).sort()).toEqual([...schema.properties.incident.required].sort());
    expect(message.runbookUrl).toBe('https://example.com/runbooks/network-path-changed.md');
    expect(snsAttributes(transition)).toMatchObject({ status: 'opened', connectorName: names.join(',') });
  });

  it('Slack: names every connector, the actor, the path explanation and the runbook', () => {
    const text = JSON.stringify(incidentMessage(transition, 'https://example.com/runbooks/').blocks);
    for (const name of names) expect(text).toContain(name);
    expect(text).toContain('role/NetworkTeam/bob');
    expect(text).toContain('Why the path is blocked');
    expect(text).toContain('https://example.com/runbooks/network-path-changed.md');
  });
});
