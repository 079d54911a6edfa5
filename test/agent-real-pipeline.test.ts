// One call's agent loop with every real local part: Silero + WebRTC turn detection, pocketsphinx
// STT with the front-desk grammar, the scripted dialogue and espeak-ng TTS. The caller's audio is
// espeak speech after a G.711 round trip, as it would arrive over RTP.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { createAgentSession } from '../media-node/src/agent/agent-session.js';
import type { AgentEvents } from '../media-node/src/agent/types.js';
import { FrameChunker } from '../media-node/src/audio/format.js';
import { decodeMulaw, encodeMulaw } from '../media-node/src/audio/g711.js';
import { createEspeakTts } from '../media-node/src/providers/local/espeak-tts.js';
import { createPocketsphinxStt } from '../media-node/src/providers/local/pocketsphinx-stt.js';
import {
  FRONT_DESK_GREETING,
  FRONT_DESK_SCRIPT,
} from '../media-node/src/providers/scripted/front-desk-script.js';
import { createScriptedLlm } from '../media-node/src/providers/scripted/scripted-llm.js';
import { loadTurnDetection } from '../media-node/src/vad/index.js';

async function callerSays(text: string): Promise<Int16Array[]> {
  const chunker = new FrameChunker();
  const frames: Int16Array[] = [];
  for await (const c of createEspeakTts().synthesize(text, new AbortController().signal))
    frames.push(...chunker.push(c));
  const last = chunker.flush();
  if (last) frames.push(last);
  return frames.map((f) => {
    const codes = new Uint8Array(160);
    encodeMulaw(f, codes);
    const out = new Int16Array(160);
    decodeMulaw(codes, out);
    return out;
  });
}

void describe('agent with real local providers', () => {
  const stt = createPocketsphinxStt({ script: FRONT_DESK_SCRIPT });
  const cleanups: (() => Promise<void>)[] = [() => stt.close()];
  after(async () => {
    for (const c of cleanups) await c();
  });

  void it('greets, hears a question, answers it and reports the turn timings', async () => {
    const detection = await loadTurnDetection({ provider: 'silero', endOfTurnMs: 500 });
    cleanups.push(() => detection.close());
    let offset = 0;
    const clock = { now: () => performance.now() + offset };
    let frames = 0;
    const session = createAgentSession({
      pipeline: { greeting: FRONT_DESK_GREETING },
      providers: {
        stt,
        llm: createScriptedLlm({ script: FRONT_DESK_SCRIPT }),
        tts: createEspeakTts(),
      },
      sink: {
        write: (_f, onSent) => {
          frames++;
          if (onSent) setImmediate(() => onSent(clock.now()));
        },
        clear: () => undefined,
        pause: () => undefined,
        resume: () => undefined,
      },
      clock,
      log: { info: () => undefined, warn: () => undefined },
      turnDetector: detection.factory,
    });
    const transcripts: AgentEvents['transcript'][0][] = [];
    const turns: AgentEvents['turn'][0][] = [];
    session.on('transcript', (t) => transcripts.push(t));
    session.on('turn', (t) => turns.push(t));
    session.start();

    const push = async (audio: Int16Array[]) => {
      for (const [i, f] of audio.entries()) {
        offset += 20;
        session.pushAudio(f, clock.now());
        if (i % 5 === 0) await sleep(1);
      }
    };
    const silence = (ms: number) => Array.from({ length: ms / 20 }, () => new Int16Array(160));
    // Let the greeting play out (its frames count at 20 ms each), then ask.
    while (transcripts.length === 0) await sleep(10);
    await push(silence(frames * 20 + 200));
    assert.equal(session.state, 'listening');
    await push([...(await callerSays('what time do you open on saturday')), ...silence(1000)]);
    const deadline = performance.now() + 10_000;
    while (transcripts.length < 3 && performance.now() < deadline) await sleep(10);

    assert.deepEqual(transcripts, [
      { role: 'agent', text: FRONT_DESK_GREETING },
      { role: 'caller', text: 'what time do you open on saturday' },
      { role: 'agent', text: 'On Saturday we open at nine in the morning and close at one.' },
    ]);
    const t = turns[0]?.timings;
    assert.ok(t?.sttFinalMs !== undefined && t.llmFirstTokenMs !== undefined, JSON.stringify(t));
    assert.ok(t.ttsFirstAudioMs !== undefined && t.firstRtpMs !== undefined, JSON.stringify(t));
    assert.ok(
      t.sttFinalMs <= t.llmFirstTokenMs &&
        t.llmFirstTokenMs <= t.ttsFirstAudioMs &&
        t.ttsFirstAudioMs <= t.firstRtpMs,
    );
    session.stop();
  });
});
