import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { HeaderList } from './message.js';
import {
  DEFAULT_SESSION_TIMER,
  answerSessionTimer,
  parseSessionExpires,
  readSessionTimer,
  sessionTimerHeaders,
} from './session-timer.js';

const h = (...lines: string[]): HeaderList =>
  lines.map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
  });

it('parses Session-Expires with and without a refresher', () => {
  assert.deepEqual(parseSessionExpires(h('Session-Expires: 1800;refresher=uac')), {
    seconds: 1800,
    refresher: 'uac',
  });
  assert.deepEqual(parseSessionExpires(h('Session-Expires: 90 ; Refresher=UAS')), {
    seconds: 90,
    refresher: 'uas',
  });
  assert.deepEqual(parseSessionExpires(h('Session-Expires: 600')), {
    seconds: 600,
    refresher: undefined,
  });
  assert.equal(parseSessionExpires(h('Session-Expires: soon')), undefined);
  assert.equal(parseSessionExpires(h('Subject: none')), undefined);
});

it('answers a request as RFC 4028 §9 says (table)', () => {
  const policy = DEFAULT_SESSION_TIMER;
  const cases: Array<[string, HeaderList, ReturnType<typeof answerSessionTimer>]> = [
    ['no timer asked, none supported: none', h('Subject: x'), { kind: 'none' }],
    [
      'supported, no interval: ours, the caller refreshes',
      h('Supported: timer'),
      { kind: 'timer', seconds: 1800, refresher: 'uac', requireTimer: true },
    ],
    [
      'supported, no interval, a Min-SE above ours: theirs',
      h('Supported: timer', 'Min-SE: 3600'),
      { kind: 'timer', seconds: 3600, refresher: 'uac', requireTimer: true },
    ],
    [
      'the refresher the caller names',
      h('Supported: replaces, timer', 'Session-Expires: 90;refresher=uas'),
      { kind: 'timer', seconds: 90, refresher: 'uas', requireTimer: true },
    ],
    [
      'no refresher named: the caller',
      h('Supported: timer', 'Session-Expires: 600'),
      { kind: 'timer', seconds: 600, refresher: 'uac', requireTimer: true },
    ],
    [
      'too short from a caller that reads 422',
      h('Supported: timer', 'Session-Expires: 30'),
      { kind: 'too-small', minSeconds: 90 },
    ],
    [
      'a caller without the extension (a proxy asked): we refresh, no Require',
      h('Session-Expires: 600;refresher=uac'),
      { kind: 'timer', seconds: 600, refresher: 'uas', requireTimer: false },
    ],
    [
      'too short without the extension: taken, we refresh',
      h('Session-Expires: 30'),
      { kind: 'timer', seconds: 30, refresher: 'uas', requireTimer: false },
    ],
  ];
  for (const [name, headers, expected] of cases)
    assert.deepEqual(answerSessionTimer(headers, policy), expected, name);
});

it('writes Session-Expires and Require for a timer, nothing otherwise', () => {
  assert.deepEqual(
    sessionTimerHeaders({ kind: 'timer', seconds: 90, refresher: 'uac', requireTimer: true }),
    [
      ['session-expires', '90;refresher=uac'],
      ['require', 'timer'],
    ],
  );
  assert.deepEqual(
    sessionTimerHeaders({ kind: 'timer', seconds: 90, refresher: 'uas', requireTimer: false }),
    [['session-expires', '90;refresher=uas']],
  );
  assert.deepEqual(sessionTimerHeaders({ kind: 'none' }), []);
});

it('reads a 2xx: no Session-Expires is no timer, no refresher is the UAC', () => {
  assert.equal(readSessionTimer(h('Subject: x')), undefined);
  assert.deepEqual(readSessionTimer(h('Session-Expires: 120')), { seconds: 120, refresher: 'uac' });
  assert.deepEqual(readSessionTimer(h('Session-Expires: 120;refresher=uas')), {
    seconds: 120,
    refresher: 'uas',
  });
});
