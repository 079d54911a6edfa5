/**
 * The media node: admits or refuses INVITEs (capacity, drain), answers them (SDP -> 180 -> RTP ->
 * 200 -> ACK -> agent) or takes over those the RTP thread answered on arrival (admitted through
 * the AdmissionBoard it publishes), places outbound calls through the edge, keeps the registry of
 * active calls, and drives drain. SIP, RTP and the agent arrive as ports (see call-ports.ts).
 */
import { TypedEmitter } from '../lib/typed-emitter.js';
import { performance } from 'node:perf_hooks';
import type { Tracer } from '@opentelemetry/api';
import { decideInvite, isAccepting, optionsStatus } from './admission.js';
import { Call, type CallEndReason, type TransferSettings } from './call.js';
import type { CallEventBus } from './call-events.js';
import type {
  AgentFactory,
  AnsweredOnArrival,
  ArrivalAdmission,
  DialogPort,
  IncomingInvite,
  MediaFactory,
  NegotiatedMedia,
  SignalingPort,
} from './call-ports.js';
import { DrainController } from './drain.js';
import type { Logger } from '../telemetry/log.js';
import type { NodeMetrics } from '../telemetry/metrics.js';

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

/** What `GET /status` reports. */
export interface NodeStatus {
  activeCalls: number;
  capacity: number;
  draining: boolean;
  accepting: boolean;
}

const OUTBOUND_TIMEOUT_MS = 30_000;

/** `+14155550123` -> `sip:+14155550123@<edge host:port>`; a sip: URI is used as given. */
export function outboundTarget(to: string, edgeUri: string): string {
  if (/^sips?:/.test(to)) return to;
  const hostPart = edgeUri.replace(/^sips?:/, '').replace(/^[^@]*@/, '');
  return `sip:${to}@${hostPart}`;
}

export class MediaNode extends TypedEmitter<{ drained: [{ reason: 'empty' | 'deadline' }] }> {
  readonly #o: MediaNodeOptions;
  readonly #calls = new Map<string, Call>();
  #settingUp = 0;
  readonly #drain: DrainController;

  constructor(options: MediaNodeOptions) {
    super();
    this.#o = options;
    this.#drain = new DrainController(
      {
        activeCalls: () => this.#calls.size + this.#settingUp + this.#answeredPending(),
        hangupAll: (reason) => this.hangupAll(reason),
      },
      { deadlineSeconds: options.settings.drainDeadlineSeconds },
    );
    this.#drain.on('done', (result) => this.emit('drained', result));
    options.metrics.capacity.set(options.settings.maxCalls);
    options.signaling.onInvite((invite) => {
      this.#onInvite(invite).catch((error: unknown) => {
        this.#o.log.error('inbound call setup failed', { callId: invite.callId, error });
      });
    });
    options.signaling.onOptions(() => optionsStatus(this.#admission()));
    this.#publish();
  }

  status(): NodeStatus {
    const admission = this.#admission();
    return {
      activeCalls: this.#calls.size,
      capacity: this.#o.settings.maxCalls,
      draining: admission.draining,
      accepting: isAccepting(admission),
    };
  }

  drain(): void {
    if (this.#drain.draining) return;
    this.#o.log.info('drain started', { activeCalls: this.#calls.size });
    this.#o.metrics.draining.set(1);
    this.#drain.start();
    this.#publish();
  }

  async hangupAll(reason: CallEndReason): Promise<void> {
    await Promise.all([...this.#calls.values()].map((call) => call.hangup(reason)));
  }

  async close(): Promise<void> {
    this.#drain.stop();
    await this.hangupAll('shutdown');
    await this.#o.signaling.close();
  }

  /** Places a call through the edge; resolves with its id once answered. */
  async placeCall(to: string): Promise<{ callId: string }> {
    const decision = decideInvite(this.#admission());
    if (decision.kind === 'reject') throw new Error(`node is ${decision.reason}`);
    this.#settingUp++;
    this.#publish();
    const offer = await this.#o.media.offer();
    try {
      const target = outboundTarget(to, this.#o.settings.edgeUri);
      const { dialog, answerSdp } = await this.#o.signaling.invite(
        target,
        offer.offerSdp,
        AbortSignal.timeout(OUTBOUND_TIMEOUT_MS),
      );
      const negotiated = offer.complete(answerSdp);
      if ('status' in negotiated) {
        await dialog.bye();
        throw new Error('far end answered with no acceptable codec');
      }
      this.#startCall(dialog, negotiated, 'outbound', performance.now(), undefined);
      return { callId: dialog.callId };
    } catch (error) {
      offer.abort();
      this.#o.metrics.callsTotal.inc({ direction: 'outbound', outcome: 'failed' });
      throw new Error('outbound call failed', { cause: error });
    } finally {
      this.#settingUp--;
      this.#publish();
    }
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
    let negotiated: NegotiatedMedia | undefined;
    invite.onCancel(() => {
      cancelled = true;
      negotiated?.media.close();
    });
    try {
      const result = await this.#o.media.answer(invite.offerSdp);
      if ('status' in result) {
        invite.reject(488);
        metrics.callsTotal.inc({ direction: 'inbound', outcome: 'rejected' });
        return;
      }
      negotiated = result;
      if (cancelled) {
        result.media.close();
        metrics.callsTotal.inc({ direction: 'inbound', outcome: 'cancelled' });
        return;
      }
      invite.progress();
      const delay = this.#o.settings.answerDelayMs ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (cancelled) {
        metrics.callsTotal.inc({ direction: 'inbound', outcome: 'cancelled' });
        return;
      }
      const dialogConfirmed = invite.accept(result.answerSdp);
      const setupMs = performance.now() - receivedAt;
      metrics.callSetupSeconds.observe(setupMs / 1000);
      let dialog: DialogPort;
      try {
        dialog = await dialogConfirmed;
      } catch (error) {
        result.media.close();
        metrics.callsTotal.inc({
          direction: 'inbound',
          outcome: cancelled ? 'cancelled' : 'failed',
        });
        log.info('call not confirmed', { callId: invite.callId, error });
        return;
      }
      this.#startCall(dialog, result, 'inbound', receivedAt, setupMs);
    } finally {
      this.#settingUp--;
      this.#drain.check();
      this.#publish();
    }
  }

  /** A call the RTP thread admitted and answered: its media and dialog are taken over. */
  async #takeOver(invite: IncomingInvite, answered: AnsweredOnArrival): Promise<void> {
    const { metrics, log } = this.#o;
    const negotiated = this.#o.media.takeOver?.(answered.media, invite.offerSdp);
    if (!negotiated) {
      invite.reject(500); // hangs up: the caller has the 200
      metrics.callsTotal.inc({ direction: 'inbound', outcome: 'failed' });
      log.error('call answered on arrival could not be taken over', { callId: invite.callId });
      return;
    }
    this.#settingUp++;
    this.#publish();
    try {
      metrics.callSetupSeconds.observe(answered.setupMs / 1000);
      let dialog: DialogPort;
      try {
        dialog = await invite.accept(negotiated.answerSdp);
      } catch (error) {
        negotiated.media.close();
        metrics.callsTotal.inc({ direction: 'inbound', outcome: 'failed' });
        log.info('call not confirmed', { callId: invite.callId, error });
        return;
      }
      this.#startCall(dialog, negotiated, 'inbound', answered.receivedAt, answered.setupMs);
    } finally {
      this.#settingUp--;
      this.#drain.check();
      this.#publish();
    }
  }

  #startCall(
    dialog: DialogPort,
    negotiated: NegotiatedMedia,
    direction: 'inbound' | 'outbound',
    startedAt: number,
    setupMs: number | undefined,
  ): void {
    const { metrics, events, log, tracer, settings } = this.#o;
    const callSpan = tracer.startSpan('call', {
      startTime: performance.timeOrigin + startedAt,
      attributes: { 'voicefleet.call.direction': direction, 'voicefleet.call.id': dialog.callId },
    });
    const agent = this.#o.agents.create(dialog.callId, negotiated.media.sink, negotiated.media);
    const call = new Call({
      callId: dialog.callId,
      direction,
      dialog,
      media: negotiated.media,
      agent,
      events,
      metrics,
      log,
      tracer,
      callSpan,
      reinviteAnswer: (offer) => negotiated.reinviteAnswer(offer),
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
    events.publish({
      type: 'call.started',
      callId: call.callId,
      direction,
      ...(setupMs === undefined ? {} : { setupMs: Math.round(setupMs * 1000) / 1000 }),
    });
    log.info('call started', { callId: call.callId, direction, activeCalls: this.#calls.size });
    call.start();
  }
}
