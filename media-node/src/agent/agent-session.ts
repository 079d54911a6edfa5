/**
 * The per-call agent loop: a small state machine over injected providers, sink, clock and turn
 * detector. idle -> greeting -> listening -> hearing (caller speaks) -> thinking -> speaking ->
 * listening ... Caller speech while the agent is audible (or about to be) pauses it at the onset;
 * once the speech has lasted `bargeIn.minSpeechMs` it is a barge-in: the sink is cleared and the
 * reply in flight (LLM + TTS) aborted. Shorter speech was no interruption: the agent resumes from
 * where it paused and forgets what it heard of it (barge-in.ts). Provider failures are retried
 * once where safe, then answered with an apology, never with silence.
 *
 * When the turn detector reports a pause shortly before the end of turn, the reply is prepared
 * ahead (STT final, LLM, TTS) with its audio held back: the end of turn releases it at once, and
 * caller speech before that drops it and goes on hearing (see held-reply.ts).
 */
import { BARGE_IN_DEFAULTS } from '@voicefleet/api';
import { FRAME_MS } from '../audio/format.js';
import { asProviderError } from '../providers/provider-error.js';
import type { ConversationMessage, SttStream, ToolName } from '../providers/types.js';
import { DEFAULT_ONSET_FRAMES } from '../vad/turn-state.js';
import type { TurnDetector } from '../vad/types.js';
import { BargeInCandidate, mayInterrupt, type BargeInPolicy } from './barge-in.js';
import { PreRollRing, FrameLog } from './caller-audio.js';
import { HeldReply } from './held-reply.js';
import { SpeechOutput, type PlayoutClock } from './speech-output.js';
import { apologize, StageFailure, streamReply } from './stream-reply.js';
import { TypedEmitter } from '../lib/typed-emitter.js';
import { finalText } from './stt-text.js';
import type { AgentSessionOptions } from './session-options.js';
import type { AgentEvents, AgentState, AgentTracing, TurnTimings, TurnTrace } from './types.js';

const NO_TRACING: AgentTracing = {
  turn: () => ({ run: (fn) => fn(), end: () => undefined }),
  bargeIn: () => undefined,
};

const DEFAULT_APOLOGY = 'Sorry, I ran into a problem. Could you say that again?';
const DEFAULT_STT_FAILURE = 'Sorry, I am having trouble hearing you. Please call again later.';
const MAX_UTTERANCE_FRAMES = 1500; // 30 s kept for an STT retry
const PRE_ROLL_FRAMES = 50; // 1 s
const DTMF = /^[0-9*#A-D]$/;

interface Hearing {
  turn: TurnTrace;
  stream: SttStream;
  ac: AbortController;
  frames: FrameLog;
  result: Promise<string>;
}

/** A reply being prepared during a pause, for the hearing it answers. */
interface Prepared {
  hearing: Hearing;
  held: HeldReply;
  /** The caller's words once STT has them, until the end of turn commits them to the context. */
  text?: string;
  committed: boolean;
  /** Aborts the reply's LLM and TTS. */
  ac?: AbortController;
  /** When the end of turn released it (session clock). */
  releasedAtMs?: number;
}

export class AgentSession extends TypedEmitter<AgentEvents> {
  readonly #o: AgentSessionOptions;
  readonly #context: ConversationMessage[] = [];
  readonly #playout: PlayoutClock = { endsAtMs: 0 };
  readonly #preRoll = new PreRollRing(PRE_ROLL_FRAMES);
  #state: AgentState = 'idle';
  #detector: TurnDetector | undefined;
  #hearing: Hearing | undefined;
  #response: AbortController | undefined;
  #prepared: Prepared | undefined;
  /** Turns whose trace is still open: the end of the call closes them. */
  readonly #openTurns = new Set<TurnTrace>();
  readonly #bargeIn: BargeInPolicy;
  /** Caller speech over the agent that has paused it and may yet interrupt it. */
  #candidate: BargeInCandidate | undefined;
  /** The hearing the candidate's onset opened: forgotten if the agent resumes. */
  #candidateHearing: Hearing | undefined;
  /** Consecutive frames the onset classifier called speech, and where they began. */
  #speechRun = 0;
  #speechRunStartMs = 0;
  /** Until when the greeting plays: +Infinity while it is written, then its playout end. */
  #greetingEndsAtMs = -Infinity;
  /** Settles once the greeting has been written (or failed). */
  #greetingWritten: Promise<void> | undefined;

  constructor(options: AgentSessionOptions) {
    super();
    this.#o = options;
    this.#bargeIn = { ...BARGE_IN_DEFAULTS, ...options.bargeIn };
  }

  /** Opens a turn's trace at `atMs`; it leaves #openTurns when it ends. */
  #openTurn(atMs: number): TurnTrace {
    const trace = (this.#o.tracing ?? NO_TRACING).turn(atMs);
    const turn: TurnTrace = {
      run: (fn) => trace.run(fn),
      end: (done) => {
        if (!this.#openTurns.delete(turn)) return;
        trace.end(done);
      },
    };
    this.#openTurns.add(turn);
    return turn;
  }

  get state(): AgentState {
    return this.#state;
  }

  get context(): readonly ConversationMessage[] {
    return this.#context;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    const detector = this.#o.turnDetector().on('endOfTurn', (atMs) => this.#onEndOfTurn(atMs));
    if (this.#o.prepareAhead !== false) {
      detector.on('pause', (atMs) => this.#onPause(atMs)).on('resume', () => this.#onResume());
    }
    this.#detector = detector;
    const greeting = this.#o.pipeline.greeting?.trim();
    if (!greeting) return this.#setState('listening');
    this.#setState('greeting');
    this.#greetingEndsAtMs = Infinity;
    const greeted = this.#reply({ kind: 'say', text: greeting }).finally(
      () => (this.#greetingEndsAtMs = this.#playout.endsAtMs),
    );
    this.#greetingWritten = greeted.catch(() => undefined);
    this.#run(greeted);
  }

  /** A caller frame; `speech`: its onset verdict when already classified (TurnDetector.push). */
  pushAudio(frame: Int16Array, atMs: number = this.#o.clock.now(), speech?: boolean): void {
    if (this.#state === 'idle' || this.#state === 'ended') return;
    this.#preRoll.push(frame, atMs);
    const h = this.#hearing;
    if (h) {
      h.stream.write(frame);
      h.frames.push(frame);
    }
    const detector = this.#detector;
    if (detector) {
      detector.push(frame, atMs, speech);
      this.#onVerdict(detector.speech, atMs);
    }
    this.#settleSpeaking();
  }

  pushDtmf(digit: string): void {
    if (this.#state === 'idle' || this.#state === 'ended' || !DTMF.test(digit)) return;
    const now = this.#o.clock.now();
    this.#onResume();
    if (this.#candidate) this.#commitBargeIn(this.#candidate);
    else if (this.#mayInterrupt()) this.#interrupt(now);
    this.#context.push({ role: 'caller', text: digit, source: 'dtmf' });
    const turn = this.#openTurn(now);
    this.#run(this.#reply({ kind: 'llm', endOfSpeechAtMs: now, timings: {}, turn }));
  }

  /** Speaks `text` as the agent's own line, outside a turn (a transfer that did not go through). */
  say(text: string): void {
    if (this.#state !== 'idle' && this.#state !== 'ended')
      this.#run(this.#reply({ kind: 'say', text }));
  }

  stop(): void {
    if (this.#state === 'ended') return;
    // A last reply (a goodbye) paused by caller speech still plays out.
    if (this.#candidate) this.#resumeAfter(this.#candidate);
    this.#prepared?.held.drop();
    this.#prepared = undefined;
    this.#response?.abort();
    this.#hearing?.ac.abort();
    this.#hearing = undefined;
    this.#detector?.close();
    for (const turn of [...this.#openTurns]) turn.end();
    this.#setState('ended');
  }

  #setState(state: AgentState): void {
    if (this.#state === state || this.#state === 'ended') return;
    this.#state = state;
    this.emit('state', state);
  }

  #run(task: Promise<void>): void {
    task.catch((error: unknown) => {
      this.#o.log.warn('agent task failed', { error });
      this.stop();
    });
  }

  /** After a reply, the agent stays "speaking" until its queued audio has played out. */
  #settleSpeaking(): void {
    const s = this.#state;
    if (
      (s === 'speaking' || s === 'greeting') &&
      !this.#response &&
      this.#playout.pausedAtMs === undefined &&
      this.#o.clock.now() >= this.#playout.endsAtMs
    ) {
      this.#setState('listening');
    }
  }

  /** The agent is audible, paused, or has a reply in flight. */
  #agentActive(): boolean {
    const p = this.#playout;
    return p.pausedAtMs !== undefined || p.endsAtMs > this.#o.clock.now() || !!this.#response;
  }

  /** False while a greeting that may not be interrupted is written or playing. */
  #mayInterrupt(): boolean {
    return mayInterrupt(this.#bargeIn, this.#o.clock.now() < this.#greetingEndsAtMs);
  }

  /**
   * Stops the agent's audio and reply in flight; true when there was something to stop.
   * `stoppedAtMs`: when playback already stopped (paused at the speech onset).
   */
  #interrupt(atMs: number, stoppedAtMs?: number): boolean {
    if (!this.#agentActive()) return false;
    const now = this.#o.clock.now();
    const cleared = this.#o.sink.clear();
    const stoppedAt = stoppedAtMs ?? cleared ?? now;
    this.#playout.endsAtMs = now;
    this.#playout.pausedAtMs = undefined;
    this.#response?.abort();
    this.#response = undefined;
    const stopLatencyMs = Math.max(0, stoppedAt - atMs);
    this.#o.tracing?.bargeIn(atMs, stopLatencyMs);
    this.emit('bargeIn', { atMs, stopLatencyMs });
    return true;
  }

  /** The onset classifier's verdict on a caller frame: onsets, and barge-in candidates' fate. */
  #onVerdict(speech: boolean, atMs: number): void {
    if (!speech) this.#speechRun = 0;
    else if (this.#speechRun++ === 0) this.#speechRunStartMs = atMs;
    const candidate = this.#candidate;
    if (candidate) {
      const verdict = candidate.step(speech);
      if (verdict === 'interrupt') this.#commitBargeIn(candidate);
      else if (verdict === 'resume') this.#resumeAfter(candidate);
    } else if (this.#speechRun === DEFAULT_ONSET_FRAMES) {
      this.#onOnset(this.#speechRunStartMs, atMs + FRAME_MS);
    }
  }

  /**
   * Caller speech began (as the RTP thread saw it, which held playback at this frame): the agent
   * pauses if it is active and may be interrupted, and hears the caller.
   */
  #onOnset(atMs: number, onsetEndMs: number): void {
    if (this.#state === 'ended') return;
    const opened = this.#hearing ? undefined : this.#openHearing(atMs);
    if (!this.#agentActive() || !this.#mayInterrupt()) {
      if (opened) this.#setState('hearing');
      return;
    }
    const now = this.#o.clock.now();
    const pausedAt = this.#o.sink.pause() ?? now;
    this.#playout.pausedAtMs ??= pausedAt;
    const candidate = new BargeInCandidate(atMs, onsetEndMs, pausedAt, this.#bargeIn.minSpeechMs);
    this.#candidate = candidate;
    this.#candidateHearing = opened;
    if (candidate.interruptsAtOnset) this.#commitBargeIn(candidate);
  }

  /** The speech lasted: a barge-in. The paused reply is dropped and the caller is heard. */
  #commitBargeIn(candidate: BargeInCandidate): void {
    this.#candidate = undefined;
    this.#candidateHearing = undefined;
    this.#interrupt(candidate.onsetAtMs, candidate.pausedAtMs);
    if (this.#hearing) this.#setState('hearing');
  }

  /** The speech was too short to interrupt: playback goes on, what was heard of it is dropped. */
  #resumeAfter(candidate: BargeInCandidate): void {
    this.#candidate = undefined;
    const now = this.#o.clock.now();
    const p = this.#playout;
    if (p.pausedAtMs !== undefined) {
      p.endsAtMs += Math.max(0, now - p.pausedAtMs);
      p.pausedAtMs = undefined;
    }
    this.#o.sink.resume();
    const h = this.#candidateHearing;
    this.#candidateHearing = undefined;
    if (h && this.#hearing === h) {
      this.#hearing = undefined;
      h.ac.abort();
      h.stream.end();
      h.turn.end(); // not a turn: its trace closes unanswered
    }
    this.emit('bargeInResumed', {
      atMs: candidate.onsetAtMs,
      pausedMs: Math.max(0, now - candidate.pausedAtMs),
    });
  }

  #openHearing(atMs: number): Hearing {
    const ac = new AbortController();
    const turn = this.#openTurn(atMs);
    const stream = turn.run(() => this.#o.providers.stt.stream(ac.signal));
    const preRollMs = this.#o.preRollMs ?? 300;
    const frames = new FrameLog(MAX_UTTERANCE_FRAMES);
    this.#preRoll.copySince(atMs - preRollMs, frames);
    for (const f of frames.frames()) stream.write(f);
    const result = finalText(stream);
    result.catch(() => undefined);
    const hearing = { turn, stream, ac, frames, result };
    this.#hearing = hearing;
    return hearing;
  }

  /** The caller paused: finish hearing now and prepare the reply, held until the end of turn. */
  #onPause(atMs: number): void {
    // The caller went quiet before the speech could interrupt: it was not a turn.
    if (this.#candidate) this.#resumeAfter(this.#candidate);
    const h = this.#hearing;
    if (!h || this.#state === 'ended' || this.#prepared) return;
    h.stream.end();
    const prepared: Prepared = { hearing: h, held: new HeldReply(this.#o.sink), committed: false };
    this.#prepared = prepared;
    this.#run(this.#finishTurn(h, atMs, prepared));
  }

  /** The caller went on after a pause: drop the prepared reply and hear the whole utterance anew. */
  #onResume(): void {
    const prepared = this.#prepared;
    if (!prepared) return;
    this.#prepared = undefined;
    prepared.held.drop();
    prepared.ac?.abort();
    if (this.#response === prepared.ac) this.#response = undefined;
    this.emit('prepared', { outcome: 'dropped' });
    const h = prepared.hearing;
    if (this.#hearing !== h || h.ac.signal.aborted) return;
    const stream = h.turn.run(() => this.#o.providers.stt.stream(h.ac.signal));
    for (const f of h.frames.frames()) stream.write(f);
    h.stream = stream;
    h.result = finalText(stream);
    h.result.catch(() => undefined);
  }

  /** The end of turn confirms a prepared reply: its words join the context, its audio plays. */
  #confirm(prepared: Prepared): void {
    this.#commitCallerText(prepared);
    const now = this.#o.clock.now();
    prepared.releasedAtMs = now;
    if (prepared.held.heldFrames > 0) {
      this.#playout.endsAtMs = now + prepared.held.heldFrames * FRAME_MS;
      this.#setState('speaking');
    }
    prepared.held.release();
    this.emit('prepared', { outcome: 'released' });
  }

  #commitCallerText(prepared: Prepared): void {
    if (prepared.committed || prepared.text === undefined) return;
    prepared.committed = true;
    this.#context.push({ role: 'caller', text: prepared.text, source: 'speech' });
    this.emit('transcript', { role: 'caller', text: prepared.text });
  }

  #onEndOfTurn(atMs: number): void {
    if (this.#candidate) this.#resumeAfter(this.#candidate);
    const h = this.#hearing;
    if (!h || this.#state === 'ended') return;
    this.#hearing = undefined;
    const prepared = this.#prepared;
    if (prepared?.hearing === h) {
      this.#prepared = undefined;
      this.#setState('thinking');
      this.#confirm(prepared);
      return;
    }
    h.stream.end();
    this.#setState('thinking');
    this.#run(this.#finishTurn(h, atMs));
  }

  async #finishTurn(h: Hearing, endOfSpeechAtMs: number, prepared?: Prepared): Promise<void> {
    let text: string;
    try {
      text = await this.#transcribe(h);
    } catch (err) {
      h.turn.end();
      if (prepared && !(await prepared.held.decided)) return;
      if (h.ac.signal.aborted || this.#state === 'ended') return;
      const error = asProviderError(this.#o.providers.stt.name, err);
      this.emit('error', {
        stage: 'stt',
        provider: error.provider,
        retryable: error.retryable,
        error,
      });
      this.#o.log.warn('speech-to-text failed, ending the call', { provider: error.provider });
      await this.#reply({
        kind: 'say',
        text: this.#o.prompts?.sttFailure ?? DEFAULT_STT_FAILURE,
        action: 'hangup',
      });
      return;
    }
    if (this.#state === 'ended' || prepared?.held.dropped) return h.turn.end();
    const timings: TurnTimings = { sttFinalMs: this.#o.clock.now() - endOfSpeechAtMs };
    if (!text) {
      h.turn.end();
      if (prepared && !(await prepared.held.decided)) return;
      if (!this.#hearing && !this.#response) this.#setState('listening');
      return;
    }
    if (prepared) {
      prepared.text = text;
      if (prepared.held.released) this.#commitCallerText(prepared);
    } else {
      this.#context.push({ role: 'caller', text, source: 'speech' });
      this.emit('transcript', { role: 'caller', text });
    }
    // The caller is already speaking again: answer both utterances together at the end of it.
    if (this.#hearing && this.#hearing !== h) return h.turn.end();
    await this.#reply({
      kind: 'llm',
      endOfSpeechAtMs,
      timings,
      turn: h.turn,
      ...(prepared ? { prepared } : {}),
    });
  }

  async #transcribe(h: Hearing): Promise<string> {
    try {
      return await h.result;
    } catch (err) {
      const error = asProviderError(this.#o.providers.stt.name, err);
      if (!error.retryable || h.ac.signal.aborted) throw error;
      this.emit('error', { stage: 'stt', provider: error.provider, retryable: true, error });
      const stream = h.turn.run(() => this.#o.providers.stt.stream(h.ac.signal));
      for (const f of h.frames.frames()) stream.write(f);
      stream.end();
      return await finalText(stream);
    }
  }

  async #reply(
    what:
      | { kind: 'say'; text: string; action?: ToolName }
      | {
          kind: 'llm';
          endOfSpeechAtMs: number;
          timings: TurnTimings;
          turn: TurnTrace;
          prepared?: Prepared;
        },
  ): Promise<void> {
    const turn = what.kind === 'llm' ? what.turn : undefined;
    // A greeting that may not be interrupted is written in full first; this reply follows it.
    if (what.kind === 'llm' && !this.#mayInterrupt()) await this.#greetingWritten;
    if (this.#state === 'ended') return turn?.end();
    const prepared = what.kind === 'llm' ? what.prepared : undefined;
    if (prepared?.held.dropped) return turn?.end();
    const ac = new AbortController();
    this.#response?.abort();
    this.#response = ac;
    if (prepared) prepared.ac = ac;
    const { clock, providers } = this.#o;
    const endAt = what.kind === 'llm' ? what.endOfSpeechAtMs : clock.now();
    const timings = what.kind === 'llm' ? what.timings : {};
    let turnSent = what.kind !== 'llm';
    const emitTurn = (): void => {
      if (turnSent) return;
      turnSent = true;
      if (prepared?.releasedAtMs !== undefined) timings.releasedMs = prepared.releasedAtMs - endAt;
      turn?.end({ endOfSpeechAtMs: endAt, timings: { ...timings } });
      this.emit('turn', { timings: { ...timings }, endOfSpeechAtMs: endAt });
    };
    const out = new SpeechOutput({
      sink: prepared?.held.sink ?? this.#o.sink,
      clock,
      playout: this.#playout,
      signal: ac.signal,
      onFirstAudio: (at) => {
        timings.ttsFirstAudioMs = at - endAt;
        const audible = !prepared || prepared.held.released;
        if (this.#state !== 'greeting' && audible) this.#setState('speaking');
      },
      onFirstSent: (at) => {
        timings.firstRtpMs = at - endAt;
        emitTurn();
      },
    });
    let spoken = '';
    let action: ToolName | undefined = what.kind === 'say' ? what.action : undefined;
    try {
      if (what.kind === 'say') {
        spoken = what.text;
        await out.speak(providers.tts, what.text);
      } else {
        action = await what.turn.run(() =>
          streamReply({
            llm: providers.llm,
            tts: providers.tts,
            messages:
              prepared?.text !== undefined && !prepared.committed
                ? [...this.#context, { role: 'caller', text: prepared.text, source: 'speech' }]
                : this.#context,
            out,
            signal: ac.signal,
            onFirstToken: () => (timings.llmFirstTokenMs ??= clock.now() - endAt),
            onText: (t) => (spoken += t),
            onRetry: (error) =>
              this.emit('error', {
                stage: 'llm',
                provider: error.provider,
                retryable: true,
                error,
              }),
          }),
        );
      }
    } catch (err) {
      if (ac.signal.aborted) return turn?.end();
      const failure =
        err instanceof StageFailure
          ? err
          : new StageFailure('tts', asProviderError(providers.tts.name, err));
      const { error } = failure;
      this.emit('error', {
        stage: failure.stage,
        provider: error.provider,
        retryable: error.retryable,
        error,
      });
      this.#o.log.warn('provider failed, apologising', {
        stage: failure.stage,
        provider: error.provider,
      });
      const { fallbackTts, apologyAudio } = this.#o;
      const candidates = failure.stage === 'tts' ? [fallbackTts] : [providers.tts, fallbackTts];
      spoken = await apologize(
        out,
        this.#o.prompts?.apology ?? DEFAULT_APOLOGY,
        candidates,
        apologyAudio,
      );
      action = what.kind === 'say' ? what.action : undefined;
    }
    // A prepared reply waits for the end of turn; dropped, it was never heard and leaves no trace.
    if (prepared && !(await prepared.held.decided)) return turn?.end();
    if (ac.signal.aborted) {
      turn?.end();
      if (spoken.trim()) this.#context.push({ role: 'agent', text: spoken.trim() });
      return;
    }
    this.#response = undefined;
    // Synthesis can finish before the first frame leaves the paced RTP queue: then the turn is
    // reported from onFirstSent, with its first-RTP time; only a reply without audio reports here.
    if (out.framesWritten === 0) emitTurn();
    if (spoken.trim()) {
      this.#context.push({ role: 'agent', text: spoken.trim() });
      this.emit('transcript', { role: 'agent', text: spoken.trim() });
    }
    if (action === 'hangup') {
      this.emit('action', { type: 'hangup' });
      this.stop();
    } else if (action === 'transfer') {
      const target = this.#o.transferTarget;
      // The session goes on: a transfer that does not go through leaves the caller with the agent.
      this.emit(
        'action',
        target === undefined ? { type: 'transfer' } : { type: 'transfer', target },
      );
      this.#settleSpeaking();
    } else {
      this.#settleSpeaking();
    }
  }
}

export function createAgentSession(options: AgentSessionOptions): AgentSession {
  return new AgentSession(options);
}
