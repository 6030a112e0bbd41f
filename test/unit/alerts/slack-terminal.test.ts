import { describe, expect, it } from 'vitest';
import { renderForTerminal } from '../../../shared/slack/blocks.js';

describe('renderForTerminal (the Slack preview npm start prints)', () => {
  it('drops emoji shortcodes, links and dates markup but keeps ARNs whole', () => {
    const lines = renderForTerminal({
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':rotating_light: cannot assume arn:aws:iam::777788889999:role/egress-watch-read-only :x:',
          },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '<https://example.invalid/runbook|Runbook> *bold*' }] },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '<!date^1782264240^{date_short_pretty}|2026-06-24T01:24:00Z>' },
        },
      ],
    });
    expect(lines).toEqual([
      'cannot assume arn:aws:iam::777788889999:role/egress-watch-read-only ',
      'Runbook (https://example.invalid/runbook) bold',
      '2026-06-24T01:24:00Z',
    ]);
  });
});
