/**
 * Reference agent-brain server: answers `AgentBrain.Converse` with the scripted dialogue policy
 * (the front-desk script unless given one), streaming words and tool calls.
 * Run: node --import tsx scripted-brain-server.ts --port 0
 */
import type * as grpc from '@grpc/grpc-js';
import type { DialogueScript } from '../../pipeline-config.js';
import { FRONT_DESK_SCRIPT } from '../../scripted/front-desk-script.js';
import { createScriptedLlm } from '../../scripted/scripted-llm.js';
import {
  loadProviderServices,
  type ConverseRequestMsg,
  type ConverseResponseMsg,
} from '../proto.js';
import { isMain, runAsProcess, serve, type RunningServer } from './serve.js';

export function startScriptedBrainServer(
  options: { script?: DialogueScript; tokenDelayMs?: number; port?: number } = {},
): Promise<RunningServer> {
  const llm = createScriptedLlm({
    script: options.script ?? FRONT_DESK_SCRIPT,
    tokenDelayMs: options.tokenDelayMs ?? 5,
  });
  const { AgentBrain } = loadProviderServices();
  return serve(
    (server) =>
      server.addService(AgentBrain.service, {
        Converse(call: grpc.ServerDuplexStream<ConverseRequestMsg, ConverseResponseMsg>) {
          const ac = new AbortController();
          call.on('cancelled', () => ac.abort());
          call.on('error', () => ac.abort());
          call.on('end', () => call.end());
          call.on('data', (msg: ConverseRequestMsg) => {
            const turn = msg.turn;
            if (!turn) return;
            const messages = turn.messages.map((m) => ({
              role: m.role === 'agent' ? ('agent' as const) : ('caller' as const),
              text: m.text,
              source: m.source === 'dtmf' ? ('dtmf' as const) : ('speech' as const),
            }));
            void (async () => {
              for await (const ev of llm.respond({ messages }, ac.signal)) {
                if (ev.type === 'text') call.write({ text_delta: ev.delta });
                else call.write({ tool: { name: ev.name, args_json: JSON.stringify(ev.args) } });
              }
              call.write({ end_of_reply: true });
            })().catch(() => {
              if (!ac.signal.aborted) call.destroy(new Error('brain failed'));
            });
          });
        },
      }),
    options.port === undefined ? {} : { port: options.port },
  );
}

if (isMain(import.meta.url)) {
  runAsProcess({}, (v) => startScriptedBrainServer({ port: Number(v.port ?? 0) }));
}
