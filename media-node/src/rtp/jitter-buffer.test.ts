import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JitterBuffer } from './jitter-buffer.js';

/** A frame whose every sample is `n`, so the played order can be read back. */
const frame = (n: number): Int16Array => new Int16Array(160).fill(n);

/** Pushes packets (seq, value) at 20 ms spacing, then pulls `pulls` frames. */
function play(jb: JitterBuffer, packets: [seq: number, value: number][], pulls: number): string[] {
  packets.forEach(([seq, value], i) =>
    jb.push(seq & 0xffff, (seq * 160) >>> 0, frame(value), i * 20),
  );
  const out: string[] = [];
  for (let i = 0; i < pulls; i++) {
    const f = jb.pop();
    out.push(f ? `${f.kind[0]}${f.samples[0]}` : '-');
  }
  return out;
}

void describe('JitterBuffer', () => {
  void it('plays reordered packets in sequence order', () => {
    const jb = new JitterBuffer();
    assert.deepEqual(
      play(
        jb,
        [
          [1, 1],
          [3, 3],
          [2, 2],
          [4, 4],
        ],
        4,
      ),
      ['a1', 'a2', 'a3', 'a4'],
    );
    assert.equal(jb.stats().lost, 0);
  });

  void it('copies what is pushed, so the caller can decode every packet into one scratch array', () => {
    const jb = new JitterBuffer();
    const scratch = new Int16Array(160);
    for (let seq = 0; seq < 5; seq++) jb.push(seq, seq * 160, scratch.fill(seq + 1), seq * 20);
    scratch.fill(-1);
    const played = Array.from({ length: 5 }, () => jb.pop()?.samples[0]);
    assert.deepEqual(played, [1, 2, 3, 4, 5]);
  });

  void it('keeps order and loses nothing over many laps of its slot ring, with reordering', () => {
    const jb = new JitterBuffer();
    const out: number[] = [];
    for (let seq = 0; seq < 1000; seq += 2) {
      // pairs arrive swapped: 1, 0, 3, 2, ...
      jb.push((seq + 1) & 0xffff, (seq + 1) * 160, frame(seq + 1), seq * 20);
      jb.push(seq & 0xffff, seq * 160, frame(seq), seq * 20 + 1);
      for (let k = 0; k < 2; k++) {
        const f = jb.pop();
        if (f?.kind === 'audio') out.push(f.samples[0]!);
      }
    }
    assert.deepEqual(
      out,
      Array.from({ length: out.length }, (_, i) => i),
    );
    assert.ok(out.length >= 995, `${out.length} frames played`);
    assert.equal(jb.stats().lost, 0);
  });

  void it('drops duplicates and counts them', () => {
    const jb = new JitterBuffer();
    assert.equal(jb.push(10, 1600, frame(1), 0), 'queued');
    assert.equal(jb.push(10, 1600, frame(1), 1), 'duplicate');
    jb.push(11, 1760, frame(2), 20);
    assert.deepEqual(play(jb, [], 3), ['a1', 'a2', 's0']);
    assert.equal(jb.stats().duplicates, 1);
  });

  void it('conceals a lost packet by repeating the last frame at half volume, then silence', () => {
    const jb = new JitterBuffer({ maxConcealFrames: 2 });
    const played = play(
      jb,
      [
        [1, 1000],
        [5, 5000],
      ],
      5,
    );
    assert.deepEqual(played, ['a1000', 'c500', 'c250', 'c0', 'a5000']);
    const stats = jb.stats();
    assert.equal(stats.lost, 3);
    assert.equal(stats.concealed, 3);
    assert.equal(stats.expected, 5);
  });

  void it('drops a packet that arrives after its slot was played', () => {
    const jb = new JitterBuffer();
    play(
      jb,
      [
        [1, 1],
        [3, 3],
      ],
      2,
    );
    assert.equal(jb.push(2, 320, frame(2), 100), 'late');
    assert.equal(jb.stats().late, 1);
  });

  void it('plays straight across the 16-bit sequence wrap', () => {
    const jb = new JitterBuffer();
    const played = play(
      jb,
      [
        [65534, 1],
        [65535, 2],
        [65536, 3],
        [65538, 5],
        [65537, 4],
      ],
      5,
    );
    assert.deepEqual(played, ['a1', 'a2', 'a3', 'a4', 'a5']);
    const stats = jb.stats();
    assert.equal(stats.lost, 0);
    assert.equal(stats.highestSeq, 65538);
  });

  void it('emits nothing before the first packet and silence when the far end pauses', () => {
    const jb = new JitterBuffer();
    assert.equal(jb.pop(), undefined);
    const played = play(
      jb,
      [
        [1, 1],
        [2, 2],
      ],
      4,
    );
    assert.deepEqual(played, ['a1', 'a2', 's0', 's0']);
    assert.equal(jb.stats().lost, 0);
    // The far end resumes 200 ms later with the next sequence numbers (silence suppression):
    // playout re-buffers and continues.
    jb.push(3, 1760, frame(3), 200);
    jb.push(4, 1920, frame(4), 220);
    assert.deepEqual(play(jb, [], 2), ['a3', 'a4']);
  });

  void it('measures interarrival jitter as RFC 3550 A.8 and deepens the target delay', () => {
    const jb = new JitterBuffer();
    // Arrivals alternate 0 and 40 ms late: |D| = 320 samples every packet after the first.
    for (let i = 0; i < 200; i++) jb.push(i, i * 160, frame(1), i * 20 + (i % 2) * 40);
    const stats = jb.stats();
    assert.ok(Math.abs(stats.jitter - 320) < 1, `jitter ${stats.jitter}`);
    assert.ok(Math.abs(stats.jitterMs - 40) < 0.2);
    assert.equal(stats.targetDelayFrames, 7);
  });

  void it('sheds frames when the buffer stays far deeper than its target', () => {
    const jb = new JitterBuffer();
    for (let i = 0; i < 12; i++) jb.push(i, i * 160, frame(i), 0); // a burst: 12 frames at once
    for (let i = 0; i < 60; i++) {
      jb.push(12 + i, (12 + i) * 160, frame(12 + i), 20 * i);
      jb.pop();
    }
    assert.ok(jb.stats().depth < 12, `depth ${jb.stats().depth}`);
  });

  void it('starts over when the sender restarts its sequence numbers', () => {
    const jb = new JitterBuffer();
    play(
      jb,
      [
        [30000, 1],
        [30001, 2],
      ],
      2,
    );
    const after = [...Array(14).keys()].map((i): [number, number] => [100 + i, 100 + i]);
    const played = play(jb, after, 3);
    assert.ok(
      played.some((p) => p.startsWith('a1')),
      played.join(','),
    );
  });
});
