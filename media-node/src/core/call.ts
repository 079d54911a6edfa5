/**
 * One call from our 200 on: SIP dialog + RTP session + agent session. The call owns the dialog
 * from the moment the 200 leaves, so what the far end sends before its ACK (a BYE, a re-INVITE)
 * is the call's to handle; the ACK starts the agent (start()). Caller audio and DTMF go into the
 * agent, the agent's speech goes into the RTP playout queue (through the sink the agent was built
 * with), and the call ends on BYE from either side, no ACK, the agent's hangup or transfer
 * action, a media timeout, an expired session timer, or drain. Everything the call owns is torn
 * down exactly once.
 */
import { TypedEmitter } from '../lib/typed-emitter.js';
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { CallEventBus } from './call-events.js';
import type {
  AgentAction,
  AgentPort,
  DialogPort,
  MediaDirection,
  MediaPort,
  MediaReoffer,
  ReinviteAnswer,
} from './call-ports.js';
import type { Logger } from '../telemetry/log.js';
import { maskPhoneNumbers } from '../lib/mask.js';
import { callQuality } from '../quality/call-quality.js';
import { observeQuality, type NodeMetrics } from '../telemetry/metrics.js';

export type CallEndReason =
  | 'remote-bye'
  /** Our 200 was never ACKed (Timer H); the endpoint hung up with BYE. */
  | 'no-ack'
  /** The session timer ran out without a refresh, or a refresh failed (RFC 4028). */
  | 'session-expired'
  | 'agent-hangup'
  /** The application that placed the call ended it (`DELETE /calls/{id}`). */
  | 'application-hangup'
  | 'transferred'
  | 'media-timeout'
  | 'drain-deadline'
  | 'shutdown'
  | 'error';

export type CallOutcome =
  | 'completed'
  | 'cancelled'
  | 'failed'
  /** An outbound call the far end did not answer (OutboundCallResult). */
  | 'busy'
  | 'no-answer'
  | 'declined'
  | 'transferred'
  /** Still up when the drain deadline passed: the node ended it with BYE. */
  | 'drain-deadline'
  /** Still up when the node shut down without a drain: the node ended it with BYE. */
  | 'shutdown';

/** The `outcome` label of `voicefleet_calls_total` for a call that ended for `reason`. */
export function callOutcome(started: boolean, reason: CallEndReason): CallOutcome {
  if (!started) return reason === 'remote-bye' ? 'cancelled' : 'failed';
  switch (reason) {
    case 'transferred':
    case 'drain-deadline':
    case 'shutdown':
      return reason;
    case 'error':
    case 'no-ack':
      return 'failed';
    default:
      return 'completed';
  }
}

export interface TransferSettings {
  target: string;
  method: 'refer' | 'invite';
  /** How long to wait for a REFER's final NOTIFY (default 30). */
  timeoutSeconds?: number;
}

/** What the caller hears when a transfer does not go through; the call goes on with the agent. */
export const TRANSFER_FAILED_PROMPT =
  'I could not connect you right now. Is there anything else I can help you with?';
const DEFAULT_TRANSFER_TIMEOUT_SECONDS = 30;

export interface CallOptions {
  callId: string;
  direction: 'inbound' | 'outbound';
  dialog: DialogPort;
  media: MediaPort;
  agent: AgentPort;
  events: CallEventBus;
  metrics: NodeMetrics;
  log: Logger;
  tracer: Tracer;
  /** The call's trace (`call`, from the INVITE): answer, turns, barge-ins and BYE go under it. */
  callSpan: Span;
  /** When the INVITE came in or left (performance.now() ms): the `answer` span starts there. */
  invitedAtMs?: number;
  /** Negotiates a re-INVITE's offer against the current session (hold / resume). */
  reinviteAnswer: (offerSdp: string) => ReinviteAnswer;
  /** Our offer for a re-INVITE without one; absent while our own offer waits for its answer. */
  reoffer?: () => MediaReoffer | undefined;
  transfer?: TransferSettings;
  /** `transfer.method: invite`: places the new call to the target through the edge. */
  inviteTransfer?: (target: string) => Promise<void>;
  /** Longest wait for queued agent audio to play out before hanging up (default 10 s). */
  playoutWaitMs?: number;
}

const PLAYOUT_POLL_MS = 20;

export class Call extends TypedEmitter<{ ended: [CallEndReason] }> {
  readonly callId: string;
  #ended = false;
  /** The ACK came and the agent runs. */
  #started = false;
  #direction: MediaDirection = 'sendrecv';
  readonly #o: CallOptions;
  readonly #ac = new AbortController();

  /** The call is answered (our 200 left): the dialog and the media are the call's from now on. */
  constructor(options: CallOptions) {
    super();
    this.#o = options;
    this.callId = options.callId;
    const { dialog, media } = options;
    dialog.onEnded((reason) => this.#teardown(reason));
    dialog.onReinvite((offer) => this.#onReinvite(offer));
    dialog.onOfferRequest(() => this.#onOfferRequest());
    media.onTimeout(() => {
      if (this.#direction === 'sendrecv') void this.hangup('media-timeout');
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Wires media to the agent and starts it (the greeting); call once the dialog is confirmed. */
  start(): void {
    if (this.#ended || this.#started) return;
    this.#started = true;
    const { media, agent, events, callId, tracer, callSpan, invitedAtMs } = this.#o;
    const callContext = trace.setSpan(context.active(), callSpan);
    if (invitedAtMs !== undefined) {
      const startTime = performance.timeOrigin + invitedAtMs;
      tracer.startSpan('answer', { startTime }, callContext).end();
    }
    media.onAudio((frame, atMs, speech) => agent.pushAudio(frame, atMs, speech));
    media.onDtmf((digit) => {
      events.publish({ type: 'dtmf', callId, digit });
      agent.pushDtmf(digit);
    });
    agent.onTranscript((role, text) => events.publish({ type: 'transcript', callId, role, text }));
    agent.onTurn((timings) => this.#onTurn(timings));
    agent.onBargeIn((stopLatencyMs) => {
      events.publish({
        type: 'barge-in',
        callId,
        ...(stopLatencyMs === undefined ? {} : { stopLatencyMs }),
      });
      if (stopLatencyMs !== undefined) this.#o.metrics.bargeInSeconds.observe(stopLatencyMs / 1000);
      this.#o.metrics.bargeIns.inc({ outcome: 'committed' });
    });
    agent.onBargeInResumed((pausedMs) => {
      events.publish({ type: 'barge-in.resumed', callId, pausedMs });
      this.#o.metrics.bargeIns.inc({ outcome: 'resumed' });
    });
    agent.onPrepared((outcome) => this.#o.metrics.preparedReplies.inc({ outcome }));
    agent.onProviderError((provider) => {
      this.#o.metrics.providerErrors.inc({ kind: 'call', provider });
      events.publish({ type: 'provider.error', callId, provider });
    });
    agent.onAction((action) => this.#onAction(action));
    // The greeting's provider requests belong to the call's trace.
    context.with(callContext, () => agent.start());
  }

  /** Ends the call from our side with a BYE. */
  async hangup(reason: CallEndReason): Promise<void> {
    if (this.#ended) return;
    const { tracer, callSpan } = this.#o;
    const bye = tracer.startSpan(
      'bye',
      { attributes: { 'voicefleet.bye.from': 'agent' } },
      trace.setSpan(context.active(), callSpan),
    );
    this.#teardown(reason, false);
    try {
      await this.#o.dialog.bye();
    } catch (error) {
      bye.setAttribute('error.type', 'bye-failed');
      this.#o.log.warn('bye failed', { callId: this.callId, error });
    } finally {
      bye.end();
      callSpan.end();
    }
  }

  #onTurn(timings: Parameters<Parameters<AgentPort['onTurn']>[0]>[0]): void {
    const { metrics, events, callId } = this.#o;
    const stages = [
      ['stt', timings.sttFinalMs],
      ['llm', timings.llmFirstTokenMs],
      ['tts', timings.ttsFirstAudioMs],
      ['rtp', timings.firstRtpMs],
    ] as const;
    let previous = 0;
    for (const [stage, at] of stages) {
      if (at === undefined) continue;
      // a reply prepared during the pause is held until the turn ends: RTP time counts from then
      if (stage === 'rtp') previous = Math.max(previous, timings.releasedMs ?? 0);
      metrics.turnStageSeconds.observe({ stage }, Math.max(0, at - previous) / 1000);
      previous = at;
    }
    if (timings.firstRtpMs !== undefined)
      metrics.turnStageSeconds.observe({ stage: 'total' }, timings.firstRtpMs / 1000);
    events.publish({ type: 'turn', callId, timings });
  }

  #onAction(action: AgentAction): void {
    if (this.#ended) return;
    this.#o.events.publish({ type: 'action', callId: this.callId, action: action.type });
    const run =
      action.type === 'hangup' ? this.#afterPlayout('agent-hangup') : this.#transfer(action.target);
    run.catch((error: unknown) => {
      this.#o.log.warn('agent action failed', { callId: this.callId, action: action.type, error });
      void this.hangup('error');
    });
  }

  async #afterPlayout(reason: CallEndReason): Promise<void> {
    const deadline = Date.now() + (this.#o.playoutWaitMs ?? 10_000);
    while (!this.#ended && this.#o.media.queuedFrames() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, PLAYOUT_POLL_MS));
    }
    await this.hangup(reason);
  }

  async #transfer(requested: string | undefined): Promise<void> {
    const settings = this.#o.transfer;
    const target = requested ?? settings?.target;
    if (target === undefined) {
      this.#o.log.warn('transfer requested without a target', { callId: this.callId });
      return;
    }
    // Let the agent finish "connecting you" before the caller leaves.
    const deadline = Date.now() + (this.#o.playoutWaitMs ?? 10_000);
    while (!this.#ended && this.#o.media.queuedFrames() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, PLAYOUT_POLL_MS));
    }
    if (this.#ended) return;
    if ((settings?.method ?? 'refer') !== 'refer') {
      if (!this.#o.inviteTransfer)
        throw new Error('transfer method invite is not available on this node');
      await this.#o.inviteTransfer(target);
      return this.hangup('transferred');
    }
    const timeoutMs = (settings?.timeoutSeconds ?? DEFAULT_TRANSFER_TIMEOUT_SECONDS) * 1000;
    const result = await this.#o.dialog.refer(target, timeoutMs);
    if (this.#ended) return;
    this.#o.events.publish({
      type: 'call.transferred',
      callId: this.callId,
      method: 'refer',
      target: maskPhoneNumbers(target),
      outcome: result.outcome,
      ...(result.sipStatus === undefined ? {} : { sipStatus: result.sipStatus }),
    });
    if (result.outcome === 'completed') return this.hangup('transferred');
    this.#o.log.warn('transfer did not go through; the agent stays on the call', {
      callId: this.callId,
      outcome: result.outcome,
      sipStatus: result.sipStatus,
    });
    this.#o.agent.say(TRANSFER_FAILED_PROMPT);
  }

  #onReinvite(offer: string): ReinviteAnswer {
    const answer = this.#o.reinviteAnswer(offer);
    if ('sdp' in answer) this.#follow(answer.direction);
    return answer;
  }

  #onOfferRequest(): MediaReoffer {
    const reoffer = this.#o.reoffer?.();
    if (!reoffer) throw new Error('an offer of ours waits for its answer');
    return {
      offerSdp: reoffer.offerSdp,
      complete: (answerSdp) => {
        const answer = reoffer.complete(answerSdp);
        if ('sdp' in answer) this.#follow(answer.direction);
        else this.#o.log.warn('no acceptable answer to our offer', { callId: this.callId });
        return answer;
      },
    };
  }

  /** The direction the latest offer/answer gave us (hold: not sendrecv). */
  #follow(direction: MediaDirection): void {
    const held = direction !== 'sendrecv';
    if (held !== (this.#direction !== 'sendrecv')) {
      this.#o.events.publish({ type: 'hold', callId: this.callId, held });
    }
    this.#direction = direction;
    this.#o.media.setDirection(direction);
  }

  /** `endSpan` false: the caller of teardown ends the call span (after our BYE's answer). */
  #teardown(reason: CallEndReason, endSpan = true): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#ac.abort();
    const { agent, media, metrics, events, callSpan } = this.#o;
    try {
      agent.stop();
    } catch (error) {
      this.#o.log.warn('agent stop failed', { callId: this.callId, error });
    }
    const stats = media.stats();
    media.close();
    metrics.rtpPacketsSent.inc(stats.packetsSent);
    metrics.rtpPacketsReceived.inc(stats.packetsReceived);
    metrics.rtpPacketsLost.inc(stats.packetsLost);
    metrics.callsTotal.inc({
      direction: this.#o.direction,
      outcome: callOutcome(this.#started, reason),
    });
    const quality = callQuality(stats);
    if (quality) observeQuality(metrics, quality);
    callSpan.setAttribute('voicefleet.call.end_reason', reason);
    callSpan.setAttribute('voicefleet.rtp.packets_lost', stats.packetsLost);
    if (quality) callSpan.setAttribute('voicefleet.call.mos', quality.mos);
    if (reason === 'remote-bye' && this.#started) {
      const parent = trace.setSpan(context.active(), callSpan);
      this.#o.tracer
        .startSpan('bye', { attributes: { 'voicefleet.bye.from': 'caller' } }, parent)
        .end();
    }
    if (endSpan) callSpan.end();
    events.publish({
      type: 'call.ended',
      callId: this.callId,
      reason,
      ...(quality ? { quality } : {}),
    });
    this.#o.log.info('call ended', { callId: this.callId, reason, ...stats, ...quality });
    this.emit('ended', reason);
  }
}
