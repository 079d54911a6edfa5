/**
 * Turns a streamed RIFF/WAVE byte stream (PCM16 mono, as espeak-ng writes to stdout, with
 * placeholder sizes) into Int16 sample chunks, keeping odd bytes between chunks.
 */
export class WavStreamDecoder {
  private header: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private carry: Buffer | undefined;
  sampleRate = 0;

  /** Samples completed by `bytes` (possibly empty while the header is still arriving). */
  push(bytes: Buffer): Int16Array {
    let body = bytes;
    if (!this.headerDone) {
      this.header = Buffer.concat([this.header, bytes]);
      const start = this.parseHeader();
      if (start === undefined) return new Int16Array(0);
      body = this.header.subarray(start);
      this.headerDone = true;
    }
    if (this.carry) {
      body = Buffer.concat([this.carry, body]);
      this.carry = undefined;
    }
    const even = body.length & ~1;
    if (even < body.length) this.carry = Buffer.from(body.subarray(even));
    const out = new Int16Array(even / 2);
    for (let i = 0; i < out.length; i++) out[i] = body.readInt16LE(i * 2);
    return out;
  }

  /** Offset of the first sample once the header is complete; throws on a non-PCM16 stream. */
  private parseHeader(): number | undefined {
    const h = this.header;
    if (h.length < 12) return undefined;
    if (h.toString('ascii', 0, 4) !== 'RIFF' || h.toString('ascii', 8, 12) !== 'WAVE') {
      throw new Error('not a RIFF/WAVE stream');
    }
    let offset = 12;
    while (offset + 8 <= h.length) {
      const id = h.toString('ascii', offset, offset + 4);
      const size = h.readUInt32LE(offset + 4);
      if (id === 'data') return offset + 8;
      if (offset + 8 + size > h.length) return undefined;
      if (id === 'fmt ') {
        const format = h.readUInt16LE(offset + 8);
        const channels = h.readUInt16LE(offset + 10);
        const bits = h.readUInt16LE(offset + 22);
        if (format !== 1 || channels !== 1 || bits !== 16) {
          throw new Error(
            `expected PCM16 mono WAV, got format ${format}, ${channels} channels, ${bits} bits`,
          );
        }
        this.sampleRate = h.readUInt32LE(offset + 12);
      }
      offset += 8 + size + (size & 1);
    }
    return undefined;
  }
}
