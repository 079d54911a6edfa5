/**
 * `pocketsphinx` STT provider: one long-lived python3 helper per provider (so per node) decodes
 * every call's utterances with a JSGF grammar built from the dialogue script. Call audio is
 * upsampled 8 -> 16 kHz here; the helper answers one final result per utterance at `end()`.
 * If the helper dies, open streams fail with a retryable error and the next stream restarts it.
 *
 * The helper decodes live, as audio arrives, so a result is ready the moment a turn ends. Live
 * cepstral mean normalisation starts from the acoustic model's defaults, far from G.711 call audio,
 * and a fresh decoder misses its first utterance; so each decoder first hears one phrase of the
 * grammar spoken by espeak-ng through the same G.711 path calls take (see docs/providers.md).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decodeMulaw, encodeMulaw } from '../../audio/g711.js';
import { Resampler, resample } from '../../audio/resample.js';
import { SAMPLE_RATE } from '../../audio/format.js';
import { readWav } from '../../audio/wav.js';
import { AsyncQueue } from '../async-queue.js';
import type { DialogueScript } from '../pipeline-config.js';
import { ProviderError } from '../provider-error.js';
import type { SttProvider, SttResult, SttStream } from '../types.js';
import { buildJsgfGrammar } from './jsgf-grammar.js';

export interface PocketsphinxSttOptions {
  script: DialogueScript;
  python?: string;
  modelDir?: string;
  dictionary?: string;
  /** Receives words left out of the grammar because the dictionary lacks them. */
  onUnknownWords?: (words: string[]) => void;
}

const MODEL = '/usr/share/pocketsphinx/model/en-us/en-us';
const DICT = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';
const HELPER = fileURLToPath(new URL('./pocketsphinx-helper.py', import.meta.url));
const DECODE_RATE = 16000;

function loadDictionaryWords(path: string): Set<string> {
  const words = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const word = line.slice(0, line.indexOf(' ')).replace(/\(\d+\)$/, '');
    if (word) words.add(word);
  }
  return words;
}

/**
 * Renders `phrase` as a call would deliver it (espeak-ng, 8 kHz, G.711 µ-law both ways, back up to
 * the decoder's rate) into `path`; false when espeak-ng cannot run (the helper then starts cold).
 */
function writeWarmUpAudio(phrase: string, path: string): boolean {
  const run = spawnSync('espeak-ng', ['--stdout', '-v', 'en-us', phrase], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 10_000,
  });
  if (run.status !== 0 || run.stdout.length === 0) return false;
  const wav = readWav(run.stdout);
  const narrow = resample(wav.samples, wav.sampleRate, SAMPLE_RATE);
  const codes = new Uint8Array(narrow.length);
  encodeMulaw(narrow, codes);
  decodeMulaw(codes, narrow);
  const wide = resample(narrow, SAMPLE_RATE, DECODE_RATE);
  writeFileSync(path, Buffer.from(wide.buffer, wide.byteOffset, wide.byteLength));
  return true;
}

interface Helper {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  pending: Map<number, AsyncQueue<SttResult>>;
}

export function createPocketsphinxStt(options: PocketsphinxSttOptions): SttProvider {
  const dictionary = options.dictionary ?? DICT;
  const modelDir = options.modelDir ?? MODEL;
  const known = loadDictionaryWords(dictionary);
  const grammar = buildJsgfGrammar(options.script, (w) => known.has(w));
  if (grammar.unknownWords.length > 0) options.onUnknownWords?.(grammar.unknownWords);
  if (grammar.phrases === 0) {
    throw new Error(
      'pipeline.llm.script gives pocketsphinx no phrase it can recognise (check the examples)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'voicefleet-sphinx-'));
  const grammarPath = join(dir, 'dialogue.gram');
  writeFileSync(grammarPath, grammar.text);
  const warmUpPath = join(dir, 'warm-up.raw');
  const warmUp =
    grammar.plainPhrase !== undefined && writeWarmUpAudio(grammar.plainPhrase, warmUpPath);
  let helper: Helper | undefined;
  let nextId = 1;
  let closed = false;

  function startHelper(): Helper {
    const child = spawn(
      options.python ?? '/usr/bin/python3',
      [HELPER, grammarPath, modelDir, dictionary, ...(warmUp ? [warmUpPath] : [])],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const pending = new Map<number, AsyncQueue<SttResult>>();
    let markReady: () => void = () => undefined;
    let markFailed: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => undefined);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdin.on('error', () => undefined);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg: { ready?: boolean; id?: number; text?: string };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.ready) return markReady();
      const queue = msg.id === undefined ? undefined : pending.get(msg.id);
      if (!queue || msg.id === undefined) return;
      pending.delete(msg.id);
      queue.push({ text: msg.text ?? '', final: true });
      queue.end();
    });
    const onGone = (cause?: Error): void => {
      if (helper?.child === child) helper = undefined;
      const err = new ProviderError('pocketsphinx', 'pocketsphinx helper exited', {
        retryable: true,
        cause: cause ?? new Error(stderr.trim() || 'helper exited'),
      });
      markFailed(err);
      for (const queue of pending.values()) queue.fail(err);
      pending.clear();
    };
    child.on('error', onGone);
    child.on('exit', () => onGone());
    return { child, ready, pending };
  }

  function send(h: Helper, kind: string, id: number, payload?: Int16Array): void {
    const size = payload ? payload.byteLength : 0;
    const head = Buffer.alloc(9);
    head.write(kind, 0, 'ascii');
    head.writeUInt32LE(id, 1);
    head.writeUInt32LE(size, 5);
    h.child.stdin.write(head);
    if (payload && size > 0)
      h.child.stdin.write(Buffer.from(payload.buffer, payload.byteOffset, size));
  }

  return {
    name: 'pocketsphinx',
    stream(signal: AbortSignal): SttStream {
      if (closed)
        throw new ProviderError('pocketsphinx', 'provider is closed', { retryable: false });
      const h = (helper ??= startHelper());
      const id = nextId++;
      const results = new AsyncQueue<SttResult>();
      const upsampler = new Resampler(SAMPLE_RATE, DECODE_RATE);
      h.pending.set(id, results);
      send(h, 'S', id);
      let ended = false;
      signal.addEventListener(
        'abort',
        () => {
          if (!h.pending.delete(id)) return;
          send(h, 'X', id);
          results.end();
        },
        { once: true },
      );
      return {
        write(frame) {
          if (ended || signal.aborted) return;
          send(h, 'A', id, upsampler.process(frame));
        },
        end() {
          if (ended || signal.aborted) return;
          ended = true;
          send(h, 'A', id, upsampler.flush());
          send(h, 'E', id);
        },
        results,
      };
    },
    async close() {
      closed = true;
      const h = helper;
      helper = undefined;
      if (h && h.child.exitCode === null) {
        const exited = new Promise((resolve) => h.child.once('exit', resolve));
        h.child.stdin.end();
        h.child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
