import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cachedTts } from './cached-tts.js';
import type { TtsProvider } from './types.js';

/** A TTS that streams three chunks 5 ms apart (chunk i of text t holds t.length * 10 + i). */
function countingTts(options: { failFirst?: boolean } = {}) {
  const calls: string[] = [];
  let failures = options.failFirst ? 1 : 0;
  const tts: TtsProvider = {
    name: 'counting',
    async *synthesize(text, signal) {
      calls.push(text);
      for (let i = 0; i < 3; i++) {
        await sleep(5);
        if (signal.aborted) throw new Error('aborted');
        if (i === 1 && failures > 0) {
          failures--;
          throw new Error('provider down');
        }
        yield new Int16Array(160).fill(text.length * 10 + i);
      }
    },
    close: () => Promise.resolve(),
  };
  return { tts, calls };
}

async function say(tts: TtsProvider, text: string, signal = new AbortController().signal) {
  const heard: number[] = [];
  for await (const chunk of tts.synthesize(text, signal)) heard.push(chunk[0]!);
  return heard;
}

describe('cachedTts', () => {
  it('synthesises a text once and replays it after', async () => {
    const { tts, calls } = countingTts();
    const cached = cachedTts(tts);
    assert.deepEqual(await say(cached, 'sorry'), [50, 51, 52]);
    assert.deepEqual(await say(cached, 'sorry'), [50, 51, 52]);
    assert.deepEqual(await say(cached, 'bye'), [30, 31, 32]);
    assert.deepEqual(calls, ['sorry', 'bye']);
  });

  it('serves calls that apologise at the same time from one synthesis', async () => {
    const { tts, calls } = countingTts();
    const cached = cachedTts(tts);
    const all = await Promise.all(Array.from({ length: 20 }, () => say(cached, 'sorry')));
    for (const heard of all) assert.deepEqual(heard, [50, 51, 52]);
    assert.deepEqual(calls, ['sorry']);
  });

  it('keeps nothing of a synthesis that failed or was cut short', async () => {
    const { tts, calls } = countingTts({ failFirst: true });
    const cached = cachedTts(tts);
    await assert.rejects(say(cached, 'sorry'), /provider down/);
    const abort = new AbortController();
    for await (const chunk of cached.synthesize('sorry', abort.signal)) {
      assert.equal(chunk[0], 50);
      abort.abort(); // a barge-in after the first chunk
      break;
    }
    assert.deepEqual(await say(cached, 'sorry'), [50, 51, 52]);
    assert.equal(calls.length, 3, 'each failed or cut synthesis was tried again');
  });

  it('keeps the latest texts only', async () => {
    const { tts, calls } = countingTts();
    const cached = cachedTts(tts, 2);
    for (const text of ['a', 'bb', 'ccc', 'a']) await say(cached, text);
    assert.deepEqual(calls, ['a', 'bb', 'ccc', 'a']);
    await say(cached, 'ccc');
    assert.equal(calls.length, 4);
  });

  it('hands out copies', async () => {
    const { tts } = countingTts();
    const cached = cachedTts(tts);
    await say(cached, 'sorry');
    for await (const chunk of cached.synthesize('sorry', new AbortController().signal))
      chunk.fill(0);
    assert.deepEqual(await say(cached, 'sorry'), [50, 51, 52]);
  });
});
