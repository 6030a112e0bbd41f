import { describe, expect, it } from 'vitest';
import { advanceStreak, egressIpDrift, judgeProbe, NO_STREAK, type Streak } from '../../../shared/domain/canary.js';

const thresholds = { failuresToOpen: 2, successesToResolve: 2 };

function play(observations: boolean[], immediate = false): (string | null)[] {
  let streak: Streak = NO_STREAK;
  return observations.map((bad) => {
    const next = advanceStreak(streak, bad, thresholds, immediate);
    streak = next.streak;
    return next.transition;
  });
}

describe('canary findings', () => {
  it('opens after failuresToOpen misses in a row and resolves after successesToResolve hits', () => {
    expect(play([true, false, true, true, true, false, true, false, false])).toEqual([
      null,
      null,
      null,
      'opened',
      null,
      null,
      null,
      null,
      'resolved',
    ]);
  });

  it('opens at once when immediate (monitoring-blind, isolation-breach, confirmed deletion)', () => {
    expect(play([true, false, false], true)).toEqual(['opened', null, 'resolved']);
  });

  it('judges status, body and DNS answers, and egress-ip drift', () => {
    const http = { targetId: 't', kind: 'http' as const, target: 'http://x/', expect: 'reachable' as const };
    expect(
      judgeProbe(http, {
        id: 't',
        kind: 'http',
        reached: true,
        latencyMs: 3,
        errorClass: 'http-status',
        resolvedAddress: '10.0.0.1',
        status: 503,
      }).met,
    ).toBe(false);
    expect(
      judgeProbe(http, {
        id: 't',
        kind: 'http',
        reached: false,
        latencyMs: null,
        errorClass: 'timeout',
        resolvedAddress: null,
      }),
    ).toMatchObject({ verdict: 'blocked', met: false, detail: 'expected reachable, got timeout' });
    expect(judgeProbe(http, undefined).met).toBe(false);
    const dns = {
      targetId: 'd',
      kind: 'dns' as const,
      target: 'db',
      expect: 'reachable' as const,
      cidr: '10.0.0.0/16',
    };
    expect(
      judgeProbe(dns, {
        id: 'd',
        kind: 'dns',
        reached: true,
        latencyMs: 1,
        errorClass: null,
        resolvedAddress: '10.1.0.1',
      }).met,
    ).toBe(false);
    expect(
      judgeProbe(dns, {
        id: 'd',
        kind: 'dns',
        reached: true,
        latencyMs: 1,
        errorClass: null,
        resolvedAddress: '10.0.9.1',
      }).met,
    ).toBe(true);
    const ip = {
      targetId: 'e',
      kind: 'egress-ip' as const,
      target: 'http://checkip/',
      expect: 'reachable' as const,
      egressIps: ['203.0.113.25'],
    };
    const seen = judgeProbe(ip, {
      id: 'e',
      kind: 'egress-ip',
      reached: true,
      latencyMs: 1,
      errorClass: null,
      resolvedAddress: '198.51.100.20',
      observedIp: '203.0.113.99',
    });
    expect(egressIpDrift(ip, seen)).toBe('the internet sees 203.0.113.99, expected 203.0.113.25');
    expect(egressIpDrift(ip, { ...seen, observedIp: '203.0.113.25' })).toBeNull();
  });
});
