/**
 * `espeak` TTS provider: one espeak-ng process per utterance, its WAV stdout (22.05 kHz) resampled
 * to 8 kHz chunk by chunk as it arrives, so the first audio is out within a few tens of ms. Aborting
 * kills the process.
 */
import { spawn } from 'node:child_process';
import { Resampler } from '../../audio/resample.js';
import { SAMPLE_RATE } from '../../audio/format.js';
import { AsyncQueue } from '../async-queue.js';
import { ProviderError } from '../provider-error.js';
import type { TtsProvider } from '../types.js';
import { WavStreamDecoder } from './wav-stream.js';

export interface EspeakTtsOptions {
  voice?: string;
  /** Words per minute (espeak-ng `-s`). */
  speed?: number;
  /** Binary to run (default `espeak-ng` from PATH). */
  command?: string;
}

export function createEspeakTts(options: EspeakTtsOptions = {}): TtsProvider {
  const voice = options.voice ?? 'en-us';
  if (!/^[A-Za-z0-9_+-]{1,64}$/.test(voice)) {
    throw new Error(`pipeline.tts.voice "${voice}" is not an espeak-ng voice name (e.g. en-us)`);
  }
  const command = options.command ?? 'espeak-ng';
  const args = ['--stdout', '--stdin', '-v', voice];
  if (options.speed !== undefined) args.push('-s', String(options.speed));

  async function* synthesize(text: string, signal: AbortSignal): AsyncIterable<Int16Array> {
    signal.throwIfAborted();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks = new AsyncQueue<Int16Array>();
    const decoder = new WavStreamDecoder();
    let resampler: Resampler | undefined;
    const kill = (): void => void child.kill('SIGKILL');
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', (cause) =>
      chunks.fail(
        new ProviderError('espeak', 'espeak-ng could not start', { retryable: false, cause }),
      ),
    );
    child.stdout.on('data', (bytes: Buffer) => {
      try {
        const samples = decoder.push(bytes);
        if (samples.length === 0) return;
        resampler ??= new Resampler(decoder.sampleRate, SAMPLE_RATE);
        chunks.push(resampler.process(samples));
      } catch (cause) {
        chunks.fail(
          new ProviderError('espeak', 'espeak-ng wrote unreadable audio', {
            retryable: false,
            cause,
          }),
        );
        kill();
      }
    });
    child.on('close', (code, sig) => {
      if (signal.aborted) return chunks.end();
      if (code !== 0) {
        const how = sig ?? `exit code ${String(code)}`;
        return chunks.fail(
          new ProviderError('espeak', `espeak-ng failed (${how})`, { retryable: true }),
        );
      }
      if (resampler) chunks.push(resampler.flush());
      chunks.end();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(text.replace(/[\r\n]+/g, ' '));
    try {
      for await (const chunk of chunks) {
        if (signal.aborted) break;
        if (chunk.length > 0) yield chunk;
      }
      signal.throwIfAborted();
    } finally {
      signal.removeEventListener('abort', kill);
      if (child.exitCode === null && child.signalCode === null) kill();
    }
  }

  return { name: 'espeak', synthesize, close: () => Promise.resolve() };
}
