// Fifty calls paced by the one shared scheduler, on loopback: every packet arrives, in order, and
// every call sends one packet per 20 ms on average. Precise pacing numbers are in
// bench/rtp-pacing.bench.ts; the bounds here are generous functional ones.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { PCMU, PacingScheduler, RtpSession, parseRtp } from '../media-node/src/rtp/index.js';
import { waitFor } from '@voicefleet/devtools/processes';

const SESSIONS = 50;

function slope(ys: number[]): number {
  const n = ys.length;
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}
const FRAMES = 75; // 1.5 s of audio per call

void describe('PacingScheduler with 50 sessions', () => {
  const scheduler = new PacingScheduler();
  const sessions: RtpSession[] = [];
  const sinks: Socket[] = [];
  after(() => {
    sessions.forEach((s) => s.close());
    scheduler.stop();
    sinks.forEach((s) => s.close());
  });

  void it('sends every frame of every call, one per 20 ms on average', async () => {
    const arrivals = new Map<number, { seqs: number[]; times: number[] }>();
    const onPacket = (msg: Buffer): void => {
      const r = parseRtp(Uint8Array.from(msg));
      if (!r.ok) return;
      const entry = arrivals.get(r.packet.ssrc) ?? { seqs: [], times: [] };
      entry.seqs.push(r.packet.sequenceNumber);
      entry.times.push(performance.now());
      arrivals.set(r.packet.ssrc, entry);
    };
    for (let i = 0; i < SESSIONS; i++) {
      // One receiving socket per call, as each far end (phone, PBX) has its own.
      const sink = createSocket('udp4').on('message', onPacket);
      sinks.push(sink);
      await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
      const remote = { address: '127.0.0.1', port: sink.address().port };
      sessions.push(
        await RtpSession.open({
          scheduler,
          codec: PCMU,
          portRange: { min: 30000, max: 32766 },
          remote,
          symmetric: false,
        }),
      );
    }
    const frame = Int16Array.from({ length: 160 }, (_, i) => Math.round(3000 * Math.sin(i / 4)));
    for (const s of sessions) for (let n = 0; n < FRAMES; n++) s.write(frame);

    const total = (): number => [...arrivals.values()].reduce((sum, e) => sum + e.seqs.length, 0);
    await waitFor(() => total() >= SESSIONS * FRAMES, { timeoutMs: 15000, message: 'all packets' });

    assert.equal(arrivals.size, SESSIONS);
    for (const s of sessions) {
      const e = arrivals.get(s.ssrc);
      assert.ok(e, `packets of session ${s.ssrc}`);
      assert.equal(e.seqs.length, FRAMES);
      e.seqs.forEach((seq, i) => i > 0 && assert.equal(seq, (e.seqs[i - 1]! + 1) & 0xffff));
      // Least-squares slope of arrival time over packet index: one stalled packet at either end
      // (a loaded machine) does not skew it the way (last - first) / count does.
      const average = slope(e.times);
      assert.ok(average > 18 && average < 23, `average send interval ${average.toFixed(2)} ms`);
    }
    assert.ok(scheduler.deviationStats().samples > SESSIONS * (FRAMES - 5));
  });
});
