// Test support: seeded mutations of SIP messages for fuzzing (deterministic for a given seed).

/** mulberry32: a small, fast, seeded PRNG returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL = Buffer.from('\r\n:;,"<>@ \t\0%=/\\?[]0123456789-', 'latin1');
const INSERTS = [
  '\r\n',
  '\r\n\r\n',
  'Content-Length: 99999\r\n',
  'Content-Length: -1\r\n',
  'Via: SIP/2.0/UDP ;;,,\r\n',
  'CSeq: 99999999999999999999 INVITE\r\n',
  'Max-Forwards: 0\r\n',
  'To: <sip:x@y>;tag=\r\n',
  '"unterminated',
  '<<<<>>>>',
  ' \r\n folded',
  'SIP/2.0 200 OK\r\n',
  '%00%ff',
  'x'.repeat(9000),
];

/** One mutated copy of `seed`: flips, special bytes, truncation, splices, line edits. */
export function mutate(seed: Buffer, rnd: () => number): Buffer {
  let buf = Buffer.from(seed);
  const ops = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rnd() * (buf.length + 1));
    switch (Math.floor(rnd() * 8)) {
      case 0: // bit flip
        if (buf.length > 0) buf[at % buf.length]! ^= 1 << Math.floor(rnd() * 8);
        break;
      case 1: // special byte
        if (buf.length > 0) buf[at % buf.length] = SPECIAL[Math.floor(rnd() * SPECIAL.length)]!;
        break;
      case 2: // truncate
        buf = buf.subarray(0, at);
        break;
      case 3: // insert a nasty fragment
        buf = Buffer.concat([
          buf.subarray(0, at),
          Buffer.from(INSERTS[Math.floor(rnd() * INSERTS.length)]!),
          buf.subarray(at),
        ]);
        break;
      case 4: {
        // delete a range
        const len = Math.floor(rnd() * 40);
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + len)]);
        break;
      }
      case 5: {
        // duplicate a range
        const len = Math.floor(rnd() * 80);
        buf = Buffer.concat([
          buf.subarray(0, at + len),
          buf.subarray(at, at + len),
          buf.subarray(at + len),
        ]);
        break;
      }
      case 6: {
        // drop or repeat a whole line
        const lines = buf.toString('latin1').split('\r\n');
        const i = Math.floor(rnd() * lines.length);
        if (rnd() < 0.5) lines.splice(i, 1);
        else lines.splice(i, 0, lines[i] ?? '');
        buf = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      default: // random byte
        if (buf.length > 0) buf[at % buf.length] = Math.floor(rnd() * 256);
    }
  }
  return buf;
}
