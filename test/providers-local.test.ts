// Local providers against the real binaries: espeak-ng speech, pocketsphinx recognition with the
// front-desk grammar (after a G.711 round trip, as calls deliver audio), and the scripted policy's booking flow.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { decodeMulaw, encodeMulaw } from '../media-node/src/audio/g711.js';
import { FrameChunker } from '../media-node/src/audio/format.js';
import { createEspeakTts } from '../media-node/src/providers/local/espeak-tts.js';
import { createPocketsphinxStt } from '../media-node/src/providers/local/pocketsphinx-stt.js';
import { FRONT_DESK_SCRIPT } from '../media-node/src/providers/scripted/front-desk-script.js';
import { createScriptedLlm } from '../media-node/src/providers/scripted/scripted-llm.js';
import type {
  ConversationMessage,
  LlmProvider,
  SttProvider,
} from '../media-node/src/providers/types.js';

async function speak(text: string): Promise<{ audio: Int16Array; firstChunkMs: number }> {
  const tts = createEspeakTts({ voice: 'en-us' });
  const start = performance.now();
  let firstChunkMs = -1;
  const parts: Int16Array[] = [];
  for await (const chunk of tts.synthesize(text, new AbortController().signal)) {
    if (firstChunkMs < 0) firstChunkMs = performance.now() - start;
    parts.push(chunk);
  }
  const audio = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    audio.set(p, offset);
    offset += p.length;
  }
  return { audio, firstChunkMs };
}

function frames(audio: Int16Array, silenceMs = 300): Int16Array[] {
  const chunker = new FrameChunker();
  const pad = new Int16Array((silenceMs * 8000) / 1000);
  const out = [...chunker.push(pad), ...chunker.push(audio), ...chunker.push(pad)];
  const last = chunker.flush();
  if (last) out.push(last);
  return out;
}

function g711RoundTrip(frame: Int16Array): Int16Array {
  const codes = new Uint8Array(frame.length);
  encodeMulaw(frame, codes);
  const out = new Int16Array(frame.length);
  decodeMulaw(codes, out);
  return out;
}

async function recognise(stt: SttProvider, input: Int16Array[]): Promise<string> {
  const stream = stt.stream(new AbortController().signal);
  for (const f of input) stream.write(f);
  stream.end();
  let text = '';
  for await (const r of stream.results) if (r.final) text = r.text;
  return text;
}

void describe('espeak-ng TTS', () => {
  void it('renders speech as 8 kHz PCM and starts streaming quickly', async () => {
    const { audio, firstChunkMs } = await speak(
      'Thanks for calling Bayview Dental, how can I help?',
    );
    const seconds = audio.length / 8000;
    assert.ok(
      seconds > 1.5 && seconds < 6,
      `duration ${seconds}s should be that of a spoken sentence`,
    );
    const peak = audio.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    assert.ok(peak > 3000, `peak ${peak} should be audible speech`);
    assert.ok(firstChunkMs < 1500, `first audio after ${firstChunkMs} ms`);
  });

  void it('stops and kills espeak-ng when aborted', async () => {
    const tts = createEspeakTts();
    const ac = new AbortController();
    let chunks = 0;
    await assert.rejects(async () => {
      for await (const _ of tts.synthesize('This is a long sentence. '.repeat(40), ac.signal)) {
        chunks++;
        ac.abort();
      }
    }, /abort/i);
    assert.equal(chunks, 1);
  });
});

void describe('pocketsphinx STT with the front-desk grammar', () => {
  let stt: SttProvider | undefined;
  after(async () => stt?.close());

  // Call audio always crosses G.711 and the decoder is tuned for that band-limited audio (see the
  // helper's dither and beam settings), so recognition is asserted on the path calls take.
  void it('recognises the front-desk phrases after a G.711 round trip, as calls deliver them', async () => {
    stt = createPocketsphinxStt({ script: FRONT_DESK_SCRIPT });
    for (const phrase of [
      'what time do you open on saturday',
      'i would like to book an appointment',
      'i want to talk to a person',
      'goodbye',
    ]) {
      const { audio } = await speak(phrase);
      assert.equal(
        await recognise(stt, frames(audio).map(g711RoundTrip)),
        phrase,
        `heard for "${phrase}"`,
      );
    }
  });

  void it('serves concurrent calls from one helper', async () => {
    stt ??= createPocketsphinxStt({ script: FRONT_DESK_SCRIPT });
    const [a, b] = await Promise.all([
      speak('i would like to book an appointment'),
      speak('goodbye'),
    ]);
    const [ra, rb] = await Promise.all([
      recognise(stt, frames(a.audio)),
      recognise(stt, frames(b.audio)),
    ]);
    assert.equal(ra, 'i would like to book an appointment');
    assert.equal(rb, 'goodbye');
  });
});

void describe('scripted LLM', () => {
  async function reply(llm: LlmProvider, messages: ConversationMessage[]) {
    let text = '';
    let chunks = 0;
    const tools: string[] = [];
    for await (const ev of llm.respond({ messages }, new AbortController().signal)) {
      if (ev.type === 'text') {
        text += ev.delta;
        chunks++;
      } else tools.push(ev.name);
    }
    return { text, chunks, tools };
  }

  void it('runs the booking flow across turns and hangs up on goodbye', async () => {
    const llm = createScriptedLlm({ script: FRONT_DESK_SCRIPT, tokenDelayMs: 1 });
    const messages: ConversationMessage[] = [];
    const turn = async (said: string) => {
      messages.push({ role: 'caller', text: said });
      const r = await reply(llm, messages);
      messages.push({ role: 'agent', text: r.text });
      return r;
    };
    const first = await turn('i would like to book an appointment');
    assert.equal(first.text, 'Sure. Which day would you like?');
    assert.ok(first.chunks > 1, 'the reply streams in several chunks');
    assert.equal((await turn('thursday')).text, 'And what time on thursday?');
    assert.equal((await turn('at two')).text, 'You are booked for thursday at two. Anything else?');
    const bye = await turn('that is all thank you');
    assert.deepEqual(bye.tools, ['hangup']);
  });
});
