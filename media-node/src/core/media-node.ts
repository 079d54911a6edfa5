/**
 * The media node: admits or refuses INVITEs (capacity, drain), answers them (SDP -> 180 -> RTP ->
 * 200; the ACK starts the agent) or takes over those the RTP thread answered on arrival (admitted
 * through the AdmissionBoard it publishes), places outbound calls through the edge, keeps the
 * registry of calls (each one from its 200 on), and drives drain, which waits for everything the
 * node holds: calls, calls being set up, and the SIP endpoint's dialogs and transactions. SIP, RTP
 * and the agent arrive as ports (see call-ports.ts).
 */
import { TypedEmitter } from '../lib/typed-emitter.js';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Tracer } from '@opentelemetry/api';
import { decideInvite, isAccepting, optionsStatus } from './admission.js';
import { Call, type CallEndReason, type TransferSettings } from './call.js';
import type { CallEventBus } from './call-events.js';
import type {
  AcceptedInvite,
  AgentFactory,
  AnsweredOnArrival,
  ArrivalAdmission,
  DialogPort,
  IncomingInvite,
  MediaFactory,
  MediaOffer,
  MediaPort,
  MediaReoffer,
  NegotiatedMedia,
  OutgoingCallResult,
  ReinviteAnswer,
  SignalingInProgress,
  SignalingPort,
} from './call-ports.js';
import { DrainController } from './drain.js';
import {
  OutboundCalls,
  resultOfStatus,
  type OutboundCallResult,
  type OutboundCallView,
} from './outbound-calls.js';
import type { Logger } from '../telemetry/log.js';
import type { NodeMetrics } from '../telemetry/metrics.js';
import { callTracing } from './turn-spans.js';

export interface MediaNodeSettings {
  maxCalls: number;
  mediaTimeoutSeconds: number;
  drainDeadlineSeconds: number;
  /** SIP URI of the edge: outbound calls and INVITE transfers go there. */
  edgeUri: string;
  transfer?: TransferSettings;
  /** Ring this long (after 180) before answering; 0 answers at once. */
  answerDelayMs?: number;
}

export interface MediaNodeOptions {
  settings: MediaNodeSettings;
  signaling: SignalingPort;
  media: MediaFactory;
  agents: AgentFactory;
  events: CallEventBus;
  metrics: NodeMetrics;
  log: Logger;
  tracer: Tracer;
  /** Where the node publishes admission for calls answered on arrival (see the file's comment). */
  admissionBoard?: ArrivalAdmission;
}

/** What the node holds that is not finished: a drain waits until all of it is 0. */
export interface InProgress extends SignalingInProgress {
  /** Calls from their 200 on (answered, or confirmed by their ACK). */
  calls: number;
  /** INVITEs being admitted, negotiated and answered, and outbound calls being placed. */
  settingUp: number;
  /** Calls the RTP thread answered on arrival that the node has not taken over yet. */
  answeredOnArrival: number;
}

/** What `GET /status` reports. */
export interface NodeStatus {
  activeCalls: number;
  capacity: number;
  draining: boolean;
  accepting: boolean;
  inProgress: InProgress;
}

/** How long an outbound call rings before it counts as not answered, unless the caller says. */
export const DEFAULT_RING_TIMEOUT_SECONDS = 30;

export interface PlaceCallOptions {
  /** Ring at most this long (1-300 s); the call ends as `no-answer` after it. */
  timeoutSeconds?: number;
}

/** The node cannot take a call now (draining, or full): try another node, or again later. */
export class CallRefused extends Error {
  override readonly name = 'CallRefused';
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
/** While a drain waits, what it waits for is logged this often. */
const DRAIN_LOG_MS = 5_000;

/** `+14155550123` -> `sip:+14155550123@<edge host:port>`; a sip: URI is used as given. */
export function outboundTarget(to: string, edgeUri: string): string {
  if (/^sips?:/.test(to)) return to;
  const hostPart = edgeUri.replace(/^sips?:/, '').replace(/^[^@]*@/, '');
  return `sip:${to}@${hostPart}`;
}

/** The media of a call and how its later offers are answered. */
interface CallMedia {
  media: MediaPort;
  reinviteAnswer(offerSdp: string): ReinviteAnswer;
  reoffer(): MediaReoffer | undefined;
}

const total = (p: InProgress): number =>
  p.calls +
  p.settingUp +
  p.answeredOnArrival +
  p.dialogs +
  p.serverTransactions +
  p.clientTransactions;

export class MediaNode extends TypedEmitter<{ drained: [{ reason: 'empty' | 'deadline' }] }> {
  readonly #o: MediaNodeOptions;
  readonly #calls = new Map<string, Call>();
  readonly #outbound = new OutboundCalls();
  /** Outbound calls not answered yet, by id: aborting one cancels it. */
  readonly #dialing = new Map<string, AbortController>();
  #settingUp = 0;
  readonly #drain: DrainController;
  #drainLog: NodeJS.Timeout | undefined;

  constructor(options: MediaNodeOptions) {
    super();
    this.#o = options;
    this.#drain = new DrainController(
      {
        inProgress: () => total(this.inProgress()),
        hangupAll: (reason) => {
          this.#o.log.warn('drain deadline passed, ending calls with BYE', {
            calls: this.#calls.size,
          });
          return this.hangupAll(reason);
        },
      },
      { deadlineSeconds: options.settings.drainDeadlineSeconds },
    );
    this.#drain.on('done', (result) => {
      this.#stopDrainLog();
      this.#o.log.info('drain done', { reason: result.reason, ...this.inProgress() });
      this.emit('drained', result);
    });
    options.metrics.capacity.set(options.settings.maxCalls);
    options.signaling.onInvite((invite) => {
      this.#onInvite(invite).catch((error: unknown) => {
        this.#o.log.error('inbound call setup failed', { callId: invite.callId, error });
      });
    });
    options.signaling.onOptions(() => optionsStatus(this.#admission()));
    this.#publish();
  }

  /** Everything the node holds that is not finished. */
  inProgress(): InProgress {
    return {
      calls: this.#calls.size,
      settingUp: this.#settingUp,
      answeredOnArrival: this.#answeredPending(),
      ...this.#o.signaling.inProgress(),
    };
  }

  status(): NodeStatus {
    const admission = this.#admission();
    return {
      activeCalls: this.#calls.size,
      capacity: this.#o.settings.maxCalls,
      draining: admission.draining,
      accepting: isAccepting(admission),
      inProgress: this.inProgress(),
    };
  }

  drain(): void {
    if (this.#drain.draining) return;
    this.#o.log.info('drain started', { activeCalls: this.#calls.size, ...this.inProgress() });
    this.#o.metrics.draining.set(1);
    this.#drainLog = setInterval(
      () => this.#o.log.info('drain waiting', { ...this.inProgress() }),
      DRAIN_LOG_MS,
    );
    this.#drainLog.unref();
    this.#drain.start();
    this.#publish();
  }

  async hangupAll(reason: CallEndReason): Promise<void> {
    await Promise.all([...this.#calls.values()].map((call) => call.hangup(reason)));
  }

  async close(): Promise<void> {
    this.#drain.stop();
    this.#stopDrainLog();
    await this.hangupAll('shutdown');
    await this.#o.signaling.close();
  }

  /**
   * Places a call through the edge and returns its id as soon as the INVITE is on its way; the
   * call's progress, answer and end are in `outboundCall(id)` and the event stream. Refused
   * (CallRefused) while the node drains or is full.
   */
  async placeCall(to: string, options: PlaceCallOptions = {}): Promise<{ callId: string }> {
    const decision = decideInvite(this.#admission());
    if (decision.kind === 'reject') {
      throw new CallRefused(`node is ${decision.reason}`, decision.retryAfterSeconds);
    }
    this.#settingUp++;
    this.#publish();
    let offer: MediaOffer;
    try {
      offer = await this.#o.media.offer();
    } catch (error) {
      this.#settingUp--;
      this.#publish();
      throw error;
    }
    const callId = randomUUID();
    const cancel = new AbortController();
    this.#dialing.set(callId, cancel);
    this.#outbound.dialing(callId);
    this.#o.events.publish({ type: 'call.ringing', callId, direction: 'outbound' });
    void this.#dial(callId, outboundTarget(to, this.#o.settings.edgeUri), offer, {
      cancel,
      timeoutMs: (options.timeoutSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS) * 1000,
    }).finally(() => {
      this.#dialing.delete(callId);
      this.#settingUp--;
      this.#drain.check();
      this.#publish();
    });
    return { callId };
  }

  /** An outbound call this node placed, while it is known (see OutboundCalls). */
  outboundCall(callId: string): OutboundCallView | undefined {
    return this.#outbound.get(callId);
  }

  /**
   * Ends an outbound call: CANCEL while it has not been answered, BYE once it has. Undefined
   * when the node does not know the call.
   */
  async cancelCall(callId: string): Promise<OutboundCallView | undefined> {
    const dialing = this.#dialing.get(callId);
    if (dialing) dialing.abort(new Error('cancelled by the application'));
    else await this.#calls.get(callId)?.hangup('application-hangup');
    return this.#outbound.get(callId);
  }

  async #dial(
    callId: string,
    target: string,
    offer: MediaOffer,
    o: { cancel: AbortController; timeoutMs: number },
  ): Promise<void> {
    const { metrics, events, log } = this.#o;
    const ringTimeout = AbortSignal.timeout(o.timeoutMs);
    const failed = (result: Exclude<OutboundCallResult, 'completed'>, sipStatus?: number) => {
      offer.abort();
      this.#outbound.ended(callId, {
        result,
        ...(sipStatus === undefined ? {} : { sipStatus }),
      });
      metrics.callsTotal.inc({ direction: 'outbound', outcome: result });
      events.publish({
        type: 'call.ended',
        callId,
        reason: result,
        ...(sipStatus === undefined ? {} : { sipStatus }),
      });
      log.info('outbound call not answered', { callId, result, sipStatus });
    };
    let answered: OutgoingCallResult;
    try {
      answered = await this.#o.signaling.invite(target, offer.offerSdp, {
        signal: AbortSignal.any([o.cancel.signal, ringTimeout]),
        callId,
        onProgress: (status) => {
          if (status === 180 || status === 183) this.#outbound.ringing(callId);
        },
      });
    } catch (error) {
      const status = finalStatusOf(error);
      if (o.cancel.signal.aborted) return failed('cancelled', status);
      if (ringTimeout.aborted) return failed('no-answer', status);
      return failed(status === undefined ? 'failed' : resultOfStatus(status), status);
    }
    const negotiated = offer.complete(answered.answerSdp);
    if ('status' in negotiated) {
      await answered.dialog.bye();
      log.info('outbound call answered with no acceptable codec', { callId });
      return failed('failed', 488);
    }
    const startedAt = performance.now();
    const call = this.#newCall(answered.dialog, fromNegotiated(negotiated), 'outbound', startedAt);
    this.#outbound.answered(callId);
    call.once('ended', (reason) =>
      this.#outbound.ended(callId, { result: 'completed', endReason: reason }),
    );
    this.#started(call, 'outbound', startedAt, undefined);
  }

  #admission() {
    return {
      activeCalls: this.#calls.size + this.#settingUp + this.#answeredPending(),
      maxCalls: this.#o.settings.maxCalls,
      draining: this.#drain.draining,
    };
  }

  /** Calls the RTP thread answered that have not reached #onInvite yet. */
  #answeredPending(): number {
    return this.#o.admissionBoard?.pending ?? 0;
  }

  /** Tells the RTP thread what it may admit (calls counted here; it adds the ones it answered). */
  #publish(): void {
    this.#o.admissionBoard?.publish({
      accepting: !this.#drain.draining,
      maxCalls: this.#o.settings.maxCalls,
      activeCalls: this.#calls.size + this.#settingUp,
    });
  }

  #stopDrainLog(): void {
    if (this.#drainLog !== undefined) clearInterval(this.#drainLog);
    this.#drainLog = undefined;
  }

  async #onInvite(invite: IncomingInvite): Promise<void> {
    if (invite.answered) return this.#takeOver(invite, invite.answered);
    const receivedAt = performance.now();
    const { metrics, log } = this.#o;
    const decision = decideInvite(this.#admission());
    if (decision.kind === 'reject') {
      invite.reject(503, { 'Retry-After': String(decision.retryAfterSeconds) });
      metrics.callsTotal.inc({ direction: 'inbound', outcome: 'rejected' });
      log.info('call refused', { callId: invite.callId, reason: decision.reason });
      return;
    }
    this.#settingUp++;
    this.#publish();
    let cancelled = false;
    let opened: MediaPort | undefined;
    invite.onCancel(() => {
      cancelled = true;
      opened?.close();
    });
    try {
      const offerSdp = invite.offerSdp;
      // An INVITE without an offer (delayed offer): we offer in the 200, the ACK answers.
      const prepared =
        offerSdp === undefined ? await this.#o.media.offer() : await this.#o.media.answer(offerSdp);
      if ('status' in prepared) {
        invite.reject(488);
        metrics.callsTotal.inc({ direction: 'inbound', outcome: 'rejected' });
        return;
      }
      opened = prepared.media;
      if (cancelled) {
        prepared.media.close();
        metrics.callsTotal.inc({ direction: 'inbound', outcome: 'cancelled' });
        return;
      }
      invite.progress();
      this.#o.events.publish({ type: 'call.ringing', callId: invite.callId, direction: 'inbound' });
      const delay = this.#o.settings.answerDelayMs ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (cancelled) {
        metrics.callsTotal.inc({ direction: 'inbound', outcome: 'cancelled' });
        return;
      }
      if ('offerSdp' in prepared) {
        this.#answerWithOffer(invite, prepared, receivedAt);
      } else {
        const accepted = invite.accept(prepared.answerSdp);
        const setupMs = performance.now() - receivedAt;
        metrics.callSetupSeconds.observe(setupMs / 1000);
        this.#answered(accepted, fromNegotiated(prepared), receivedAt, setupMs);
      }
    } finally {
      this.#settingUp--;
      this.#drain.check();
      this.#publish();
    }
  }

  /**
   * A delayed offer (RFC 3261 §13.2.1): our offer goes in the 200 and the ACK brings the answer,
   * which sets the call's codec and far end; no acceptable answer ends the call with BYE. Until
   * the answer, a re-INVITE's offer gets 491.
   */
  #answerWithOffer(invite: IncomingInvite, offer: MediaOffer, receivedAt: number): void {
    let negotiated: NegotiatedMedia | undefined;
    const accepted = invite.accept(offer.offerSdp);
    const setupMs = performance.now() - receivedAt;
    this.#o.metrics.callSetupSeconds.observe(setupMs / 1000);
    const call = this.#newCall(
      accepted.dialog,
      {
        media: offer.media,
        reinviteAnswer: (sdp) => negotiated?.reinviteAnswer(sdp) ?? { status: 491 },
        reoffer: () => negotiated?.reoffer(),
      },
      'inbound',
      receivedAt,
    );
    accepted.acked.then(
      ({ answerSdp }) => {
        const completed = answerSdp === undefined ? undefined : offer.complete(answerSdp);
        if (!completed || 'status' in completed) {
          this.#o.log.info('no acceptable answer in the ACK', { callId: call.callId });
          return void call.hangup('error');
        }
        negotiated = completed;
        this.#started(call, 'inbound', receivedAt, setupMs);
      },
      () => undefined, // no ACK: the dialog's end ends the call
    );
  }

  /** A call the RTP thread admitted and answered: its media and dialog are taken over. */
  #takeOver(invite: IncomingInvite, answered: AnsweredOnArrival): void {
    const { metrics, log } = this.#o;
    const negotiated = this.#o.media.takeOver?.(answered.media, invite.offerSdp ?? '');
    if (!negotiated) {
      invite.reject(500); // hangs up: the caller has the 200
      metrics.callsTotal.inc({ direction: 'inbound', outcome: 'failed' });
      log.error('call answered on arrival could not be taken over', { callId: invite.callId });
      return;
    }
    metrics.callSetupSeconds.observe(answered.setupMs / 1000);
    this.#o.events.publish({ type: 'call.ringing', callId: invite.callId, direction: 'inbound' });
    const accepted = invite.accept(negotiated.answerSdp);
    this.#answered(accepted, fromNegotiated(negotiated), answered.receivedAt, answered.setupMs);
    this.#drain.check();
    this.#publish();
  }

  /** Our 200 left: the call exists, and its ACK starts the agent. */
  #answered(accepted: AcceptedInvite, media: CallMedia, receivedAt: number, setupMs: number): void {
    const call = this.#newCall(accepted.dialog, media, 'inbound', receivedAt);
    accepted.acked.then(
      () => this.#started(call, 'inbound', receivedAt, setupMs),
      () => undefined, // no ACK: the dialog's end ends the call
    );
  }

  #newCall(
    dialog: DialogPort,
    m: CallMedia,
    direction: 'inbound' | 'outbound',
    startedAt: number,
  ): Call {
    const { metrics, events, log, tracer, settings } = this.#o;
    const callSpan = tracer.startSpan('call', {
      startTime: performance.timeOrigin + startedAt,
      attributes: { 'voicefleet.call.direction': direction, 'voicefleet.call.id': dialog.callId },
    });
    const agent = this.#o.agents.create(
      dialog.callId,
      m.media.sink,
      m.media,
      callTracing(tracer, callSpan),
    );
    const call = new Call({
      callId: dialog.callId,
      direction,
      dialog,
      media: m.media,
      agent,
      events,
      metrics,
      log,
      tracer,
      callSpan,
      invitedAtMs: startedAt,
      reinviteAnswer: (offer) => m.reinviteAnswer(offer),
      reoffer: () => m.reoffer(),
      // A number in transfer.target is reached through the edge, like any outbound call.
      ...(settings.transfer
        ? {
            transfer: {
              ...settings.transfer,
              target: outboundTarget(settings.transfer.target, settings.edgeUri),
            },
          }
        : {}),
    });
    this.#calls.set(call.callId, call);
    metrics.activeCalls.set(this.#calls.size);
    call.once('ended', () => {
      this.#calls.delete(call.callId);
      metrics.activeCalls.set(this.#calls.size);
      this.#drain.check();
      this.#publish();
    });
    return call;
  }

  /** The call is confirmed (ACK, or an outbound call's 2xx): the agent starts. */
  #started(
    call: Call,
    direction: 'inbound' | 'outbound',
    startedAt: number,
    setupMs: number | undefined,
  ): void {
    if (call.ended) return;
    this.#o.events.publish({
      type: 'call.started',
      callId: call.callId,
      direction,
      ...(setupMs === undefined ? {} : { setupMs: Math.round(setupMs * 1000) / 1000 }),
    });
    this.#o.log.info('call started', {
      callId: call.callId,
      direction,
      activeCalls: this.#calls.size,
      ...(setupMs === undefined ? {} : { setupMs }),
      confirmedAfterMs: Math.round(performance.now() - startedAt),
    });
    call.start();
  }
}

/** The final SIP status a failed INVITE was rejected with (SignalingPort.invite), if any. */
function finalStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

function fromNegotiated(n: NegotiatedMedia): CallMedia {
  return {
    media: n.media,
    reinviteAnswer: (offer) => n.reinviteAnswer(offer),
    reoffer: () => n.reoffer(),
  };
}
