/**
 * Adapter: per-call agent sessions (`agent/`) over the node's shared providers, as AgentPorts.
 * The agent speaks into the call's RTP playout queue; its clock is performance.now(), the same
 * monotonic scale the RTP session stamps sent frames with.
 */
import { performance } from 'node:perf_hooks';
import { AgentSession } from '../agent/agent-session.js';
import type { BargeInPolicy } from '../agent/barge-in.js';
import type { AudioSink } from '../agent/types.js';
import type { ProviderSet, TtsProvider } from '../providers/types.js';
import type { TurnDetectorFactory } from '../vad/types.js';
import type { AgentFactory, AgentPort, AudioSinkPort } from '../core/call-ports.js';
import type { Logger } from '../telemetry/log.js';

export interface AgentFactoryOptions {
  greeting?: string;
  providers: ProviderSet;
  turnDetector: TurnDetectorFactory;
  fallbackTts?: TtsProvider;
  transferTarget?: string;
  /** Prepare replies during the pause before the end of turn (default true). */
  prepareAhead?: boolean;
  /** When caller speech interrupts the agent (pipeline.bargeIn). */
  bargeIn?: Partial<BargeInPolicy>;
  log: Logger;
}

function agentSink(sink: AudioSinkPort): AudioSink {
  return {
    write: (frame, onSent) => {
      if (onSent) sink.onFirstFrameSent(onSent);
      sink.write(frame);
    },
    clear: () => sink.clear(),
    pause: () => sink.pause(),
    resume: () => sink.resume(),
  };
}

export function createAgentFactory(options: AgentFactoryOptions): AgentFactory {
  return {
    create(callId, sink, _media, tracing): AgentPort {
      const session = new AgentSession({
        pipeline: options.greeting === undefined ? {} : { greeting: options.greeting },
        providers: options.providers,
        sink: agentSink(sink),
        clock: { now: () => performance.now() },
        log: options.log.child({ callId }),
        turnDetector: options.turnDetector,
        ...(options.transferTarget === undefined ? {} : { transferTarget: options.transferTarget }),
        ...(options.fallbackTts === undefined ? {} : { fallbackTts: options.fallbackTts }),
        ...(options.prepareAhead === undefined ? {} : { prepareAhead: options.prepareAhead }),
        ...(tracing === undefined ? {} : { tracing }),
        ...(options.bargeIn === undefined ? {} : { bargeIn: options.bargeIn }),
      });
      return {
        start: () => session.start(),
        pushAudio: (frame, atMs, speech) => session.pushAudio(frame, atMs, speech),
        pushDtmf: (digit) => session.pushDtmf(digit),
        say: (text) => session.say(text),
        stop: () => session.stop(),
        onTranscript: (l) => session.on('transcript', ({ role, text }) => l(role, text)),
        onTurn: (l) =>
          session.on('turn', ({ timings, endOfSpeechAtMs }) =>
            l(timings, performance.timeOrigin + endOfSpeechAtMs),
          ),
        onAction: (l) => session.on('action', l),
        onBargeIn: (l) => session.on('bargeIn', ({ stopLatencyMs }) => l(stopLatencyMs)),
        onBargeInResumed: (l) => session.on('bargeInResumed', ({ pausedMs }) => l(pausedMs)),
        onPrepared: (l) => session.on('prepared', ({ outcome }) => l(outcome)),
        onProviderError: (l) => session.on('error', ({ provider }) => l(provider)),
      };
    },
  };
}
