// The summary printed after a test call: one latency line per turn and how the call ended. Pure.
import type { TestCallResult, TurnResult } from './test-call.js';

const STAGES: readonly [key: string, label: string][] = [
  ['sttFinalMs', 'STT final'],
  ['llmFirstTokenMs', 'LLM first token'],
  ['ttsFirstAudioMs', 'TTS first audio'],
  // a reply prepared during your pause waits for the end of your turn
  ['releasedMs', 'end of turn'],
  ['firstRtpMs', 'first RTP'],
];

export function formatTurnLatency(turn: TurnResult): string {
  const stages = STAGES.flatMap(([key, label]) => {
    const ms = turn.stages?.[key];
    return ms === undefined ? [] : [`${label} ${Math.round(ms)} ms`];
  });
  const ear = turn.mouthToEarMs === undefined ? 'no answer' : `at your ear ${turn.mouthToEarMs} ms`;
  return `end of speech -> ${[...stages, ear].join(' -> ')}`;
}

export function formatCallSummary(result: TestCallResult): string[] {
  const lines: string[] = [];
  result.turns.forEach((t, i) => lines.push(`turn ${i + 1}: ${formatTurnLatency(t)}`));
  switch (result.endedBy) {
    case 'you':
      lines.push('call ended: you hung up');
      break;
    case 'agent':
      lines.push('call ended: the agent hung up');
      break;
    case 'transfer':
      lines.push(`call ended: the agent transferred the call to ${result.transferTarget ?? '?'}`);
      break;
    case 'failure':
      lines.push(`call failed: ${result.failure ?? 'unknown reason'}`);
      break;
  }
  return lines;
}
