import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCallSummary, formatTurnLatency } from './call-report.js';
import type { TestCallResult } from './test-call.js';

const base: TestCallResult = {
  answered: true,
  setupMs: 30,
  greetingHeard: true,
  turns: [],
  endedBy: 'you',
  audio: { you: new Int16Array(0), agent: new Int16Array(0) },
};

describe('call report', () => {
  it('shows every stage the node measured, then the time at your ear', () => {
    const line = formatTurnLatency({
      step: { say: 'hello' },
      mouthToEarMs: 612,
      stages: { sttFinalMs: 520.4, llmFirstTokenMs: 523, ttsFirstAudioMs: 560, firstRtpMs: 575 },
    });
    assert.equal(
      line,
      'end of speech -> STT final 520 ms -> LLM first token 523 ms -> TTS first audio 560 ms -> first RTP 575 ms -> at your ear 612 ms',
    );
  });

  it('shows where a reply prepared during the pause waited for the end of the turn', () => {
    const line = formatTurnLatency({
      step: { say: 'hello' },
      mouthToEarMs: 640,
      stages: {
        sttFinalMs: 301,
        llmFirstTokenMs: 304,
        ttsFirstAudioMs: 360,
        releasedMs: 497,
        firstRtpMs: 498,
      },
    });
    assert.equal(
      line,
      'end of speech -> STT final 301 ms -> LLM first token 304 ms -> TTS first audio 360 ms -> end of turn 497 ms -> first RTP 498 ms -> at your ear 640 ms',
    );
  });

  it('says so when the agent never answered a turn', () => {
    assert.equal(
      formatTurnLatency({ step: { dtmf: '1' }, mouthToEarMs: undefined, stages: undefined }),
      'end of speech -> no answer',
    );
  });

  it('names a transfer target and a failure reason in the last line', () => {
    assert.equal(
      formatCallSummary({
        ...base,
        endedBy: 'transfer',
        transferTarget: 'sip:+14155550199@127.0.0.1',
      }).at(-1),
      'call ended: the agent transferred the call to sip:+14155550199@127.0.0.1',
    );
    assert.equal(
      formatCallSummary({
        ...base,
        endedBy: 'failure',
        failure: 'the call failed: 404 Not Found',
      }).at(-1),
      'call failed: the call failed: 404 Not Found',
    );
  });
});
