/**
 * One test call through an installed fleet, for the chart's `helm test` hook (it ships in the
 * media-node image as `/app/probe-call.js`):
 *
 *   node probe-call.js sip:<edge address>:<port> <number> [--timeout-seconds 20]
 *
 * INVITEs the number through the edge from this pod's own address, waits for the agent's
 * greeting to arrive as audio, and hangs up, all within the timeout. Exits 0 when the call was answered and the greeting
 * heard, 1 otherwise (with the reason on stderr), 2 for bad arguments.
 */
import { parseArgs } from 'node:util';
import { dbfs } from '../audio/index.js';
import { PCMU, PacingScheduler, RtpSession } from '../rtp/index.js';
import { createOffer, parseAnswer, type LocalMedia } from '../sdp/index.js';
import { SipEndpoint, sourceAddressFor, type Dialog } from '../sip/index.js';

/** A frame louder than this counts as the agent speaking. */
const SPEECH_DBFS = -45;

async function probe(edge: string, number: string, timeoutMs: number): Promise<string> {
  const m = /^sip:(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(edge);
  if (m === null) throw new Error(`the edge must be sip:<IPv4>:<port>, got ${edge}`);
  const [, host = '', port = '0'] = m;
  const local = await sourceAddressFor(host, Number(port));
  const rtp = await RtpSession.open({
    host: local,
    scheduler: new PacingScheduler(),
    codec: PCMU,
    telephoneEventPayloadType: 101,
    mediaTimeoutMs: 0,
  });
  const sip = await SipEndpoint.listen({
    host: local,
    port: 0,
    transports: ['udp'],
    userAgent: 'voicefleet-helm-test',
  });
  let dialog: Dialog | undefined;
  try {
    const media: LocalMedia = {
      address: local,
      port: rtp.localPort,
      codecs: ['PCMU', 'PCMA'],
      sessionId: Date.now(),
      sessionVersion: 1,
    };
    const started = Date.now();
    dialog = await sip.invite({
      target: `sip:${number}@${host}:${port}`,
      from: `"voicefleet helm test" <sip:helm-test@${local}>`,
      sdp: createOffer(media),
    });
    const answer = parseAnswer(dialog.remoteSdp ?? '', media);
    if (!answer.ok) throw new Error(`answered without usable audio: ${answer.message}`);
    if (answer.media.remote === undefined) throw new Error('answered with no RTP address');
    rtp.setCodec(answer.media.codec, answer.media.telephoneEventPayloadType);
    rtp.setRemote(answer.media.remote);
    rtp.setDirection(answer.media.direction);
    const answeredMs = Date.now() - started;
    const heard = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      rtp.on('audio', (frame) => {
        if (dbfs(frame) > SPEECH_DBFS) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    if (!heard)
      throw new Error(`answered in ${answeredMs} ms, but no greeting within ${timeoutMs} ms`);
    return `answered in ${answeredMs} ms, greeting heard after ${Date.now() - started} ms`;
  } finally {
    if (dialog !== undefined) await dialog.bye().catch(() => undefined);
    await sip.close();
    rtp.close();
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { 'timeout-seconds': { type: 'string', default: '20' } },
    });
  } catch (err) {
    process.stderr.write(`probe-call: ${(err as Error).message}\n`);
    return 2;
  }
  const [edge, number] = parsed.positionals;
  const timeoutS = Number(parsed.values['timeout-seconds']);
  if (edge === undefined || number === undefined || !(timeoutS > 0)) {
    process.stderr.write('usage: probe-call sip:<edge IP>:<port> <number> [--timeout-seconds N]\n');
    return 2;
  }
  const deadline = setTimeout(() => {
    process.stderr.write(`test call to ${number} via ${edge}: no answer within ${timeoutS} s\n`);
    process.exit(1);
  }, timeoutS * 1000);
  deadline.unref();
  try {
    const how = await probe(edge, number, timeoutS * 1000);
    process.stdout.write(`test call to ${number} via ${edge}: ${how}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`test call to ${number} via ${edge} failed: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exit(await main());
