// What the test caller hears of the agent: every frame recorded (right channel) and cut into
// utterances, so a turn can wait for the agent's next answer and time when it started.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallRecorder } from './call-recorder.js';
import { UtteranceDetector, type UtteranceEvent } from './utterance-detector.js';

const FRAME_MS = 20;

interface Utterance {
  start: number;
  end?: number;
}

export class AgentListener {
  private readonly detector = new UtteranceDetector();
  private readonly utterances: Utterance[] = [];
  private readonly ticker: NodeJS.Timeout;

  /** `now`: ms since the call started; `ended`: the call is over (BYE, transfer). */
  constructor(
    private readonly now: () => number,
    private readonly recorder: CallRecorder,
    private readonly ended: () => boolean,
  ) {
    // the far end sends nothing while silent: time passing ends an utterance too
    this.ticker = setInterval(() => this.note(this.detector.tick(this.now())), FRAME_MS);
  }

  /** A frame of agent audio, as it arrives. */
  hear(frame: Int16Array): void {
    const at = this.now();
    this.recorder.add('agent', frame, at);
    this.note(this.detector.push(frame, at));
  }

  /** From `atMs` on, whatever the agent says is a new utterance (an answer to a key just pressed). */
  cut(atMs: number): void {
    this.note(this.detector.cut(atMs));
  }

  /**
   * Waits for the agent's next utterance starting at or after `fromMs` to end (or the call to end)
   * and returns when it started, relative to `fromMs`; undefined when none came within `timeoutMs`.
   */
  async awaitReply(fromMs: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = fromMs + timeoutMs;
    const next = () => this.utterances.find((u) => u.start >= fromMs);
    while (this.now() < deadline && !this.ended() && next()?.end === undefined) {
      await sleep(FRAME_MS);
    }
    // the agent's hang-up or transfer ends the call right after its last words
    const reply = next();
    return reply === undefined ? undefined : reply.start - fromMs;
  }

  close(): void {
    clearInterval(this.ticker);
  }

  private note(event: UtteranceEvent | undefined): void {
    if (event?.type === 'start') this.utterances.push({ start: event.atMs });
    const last = this.utterances.at(-1);
    if (event?.type === 'end' && last !== undefined) last.end = event.atMs;
  }
}
