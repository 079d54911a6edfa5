// WebRTC VAD (wasm) and Silero VAD (worker thread) on espeak-ng speech with silence around it:
// speech onset and end of turn land where the speech starts and stops.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { FrameChunker } from '../media-node/src/audio/format.js';
import { createEspeakTts } from '../media-node/src/providers/local/espeak-tts.js';
import {
  frameLevelDbfs,
  loadTurnDetection,
  type TurnDetection,
} from '../media-node/src/vad/index.js';

const LEAD_MS = 600;
const TAIL_MS = 1200;

async function speechWithSilence(): Promise<{ frames: Int16Array[]; speechMs: number }> {
  const parts: Int16Array[] = [];
  for await (const c of createEspeakTts().synthesize(
    'what time do you open on saturday',
    new AbortController().signal,
  ))
    parts.push(c);
  const chunker = new FrameChunker();
  const speech = parts.flatMap((p) => chunker.push(p));
  const last = chunker.flush();
  if (last) speech.push(last);
  const silence = (ms: number) => Array.from({ length: ms / 20 }, () => new Int16Array(160));
  // espeak-ng pads its output with quiet: measure where the audible speech really stops.
  const lastAudible = speech.findLastIndex((f) => frameLevelDbfs(f) > -50);
  return {
    frames: [...silence(LEAD_MS), ...speech, ...silence(TAIL_MS)],
    speechMs: (lastAudible + 1) * 20,
  };
}

async function detect(detection: TurnDetection, frames: Int16Array[], waitForEnd = true) {
  const starts: number[] = [];
  const ends: number[] = [];
  const detector = detection.factory({
    onSpeechStart: (at) => starts.push(at),
    onEndOfTurn: (at) => ends.push(at),
  });
  for (const [i, f] of frames.entries()) {
    detector.push(f, i * 20);
    if (i % 10 === 0) await sleep(1); // let worker results arrive, as they would in a live call
  }
  const deadline = performance.now() + 3000;
  while (waitForEnd && ends.length === 0 && performance.now() < deadline) await sleep(10);
  detector.close();
  return { starts, ends };
}

for (const provider of ['webrtc', 'silero'] as const) {
  void describe(`${provider} turn detection`, () => {
    let detection: TurnDetection;
    let audio: { frames: Int16Array[]; speechMs: number };
    before(async () => {
      detection = await loadTurnDetection({ provider, endOfTurnMs: 500 });
      audio = await speechWithSilence();
    });
    after(() => detection.close());

    void it('finds the start of speech and one end of turn after it', async () => {
      const { starts, ends } = await detect(detection, audio.frames);
      assert.equal(starts.length, 1, `one onset, got ${JSON.stringify(starts)}`);
      assert.ok(
        Math.abs(starts[0]! - LEAD_MS) <= 120,
        `onset at ${starts[0]} ms, speech starts at ${LEAD_MS}`,
      );
      assert.equal(ends.length, 1, `one end of turn, got ${JSON.stringify(ends)}`);
      const speechEnd = LEAD_MS + audio.speechMs;
      assert.ok(
        Math.abs(ends[0]! - speechEnd) <= 250,
        `end at ${ends[0]} ms, speech ends near ${speechEnd}`,
      );
    });

    void it('stays quiet on silence', async () => {
      const { starts } = await detect(
        detection,
        Array.from({ length: 100 }, () => new Int16Array(160)),
        false,
      );
      await sleep(100);
      assert.deepEqual(starts, []);
    });
  });
}
