// WebRTC VAD (wasm) and Silero VAD (worker thread) on espeak-ng speech with silence around it:
// speech onset and end of turn land where the speech starts and stops.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { FrameChunker } from '../media-node/src/audio/format.js';
import { createEspeakTts } from '../media-node/src/providers/local/espeak-tts.js';
import { dbfs } from '../media-node/src/audio/energy.js';
import { loadTurnDetection, type TurnDetection } from '../media-node/src/vad/index.js';

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
  const lastAudible = speech.findLastIndex((f) => dbfs(f) > -50);
  return {
    frames: [...silence(LEAD_MS), ...speech, ...silence(TAIL_MS)],
    speechMs: (lastAudible + 1) * 20,
  };
}

/** The same frames over a line's background hiss (white noise at `dbfs`, fixed seed). */
function withNoise(frames: readonly Int16Array[], dbfs: number): Int16Array[] {
  const amplitude = 32768 * Math.sqrt(3) * 10 ** (dbfs / 20);
  let seed = 12345;
  return frames.map((f) =>
    f.map((s) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const noisy = s + amplitude * (2 * (seed / 2147483648) - 1);
      return Math.max(-32768, Math.min(32767, Math.round(noisy)));
    }),
  );
}

async function detect(detection: TurnDetection, frames: Int16Array[], waitForEnd = true) {
  const starts: number[] = [];
  const ends: number[] = [];
  /** The frame time at which each end of turn was reported. */
  const reportedAt: number[] = [];
  let pushedMs = 0;
  const detector = detection
    .factory()
    .on('speechStart', (at) => starts.push(at))
    .on('endOfTurn', (at) => {
      ends.push(at);
      reportedAt.push(pushedMs);
    });
  for (const [i, f] of frames.entries()) {
    pushedMs = i * 20;
    detector.push(f, pushedMs);
    await sleep(1); // let worker results arrive between frames, as they would in a live call
  }
  const deadline = performance.now() + 3000;
  while (waitForEnd && ends.length === 0 && performance.now() < deadline) await sleep(10);
  detector.close();
  return { starts, ends, reportedAt };
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
      const { starts, ends, reportedAt } = await detect(detection, audio.frames);
      assert.equal(starts.length, 1, `one onset, got ${JSON.stringify(starts)}`);
      assert.ok(
        Math.abs(starts[0]! - LEAD_MS) <= 120,
        `onset at ${starts[0]} ms, speech starts at ${LEAD_MS}`,
      );
      assert.equal(ends.length, 1, `one end of turn, got ${JSON.stringify(ends)}`);
      // The end is where the voice stopped, not where the VAD's hangover let go of it, and the
      // turn ends once the configured 500 ms of silence after it have been heard.
      const speechEnd = LEAD_MS + audio.speechMs;
      assert.ok(
        Math.abs(ends[0]! - speechEnd) <= 40,
        `end at ${ends[0]} ms, speech ends at ${speechEnd}`,
      );
      const silenceHeard = reportedAt[0]! + 20 - speechEnd;
      assert.ok(
        silenceHeard >= 480 && silenceHeard <= 560,
        `end of turn reported after ${silenceHeard} ms of silence, configured 500`,
      );
    });

    void it('on a line with background hiss, ends the turn where the speech ends', async () => {
      const { starts, ends } = await detect(detection, withNoise(audio.frames, -50));
      assert.equal(starts.length, 1, `one onset, got ${JSON.stringify(starts)}`);
      assert.equal(ends.length, 1, `one end of turn, got ${JSON.stringify(ends)}`);
      const speechEnd = LEAD_MS + audio.speechMs;
      assert.ok(
        Math.abs(ends[0]! - speechEnd) <= 60,
        `end at ${ends[0]} ms, speech ends at ${speechEnd}`,
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
