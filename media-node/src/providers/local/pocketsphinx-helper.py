"""pocketsphinx 0.8 recogniser for the media node: one process serves many calls.

stdin carries frames: 1 byte type, 4 bytes stream id (LE), 4 bytes payload length (LE), payload.
Types: S start, A audio (PCM16 LE mono 16 kHz), E end (decode and answer), X drop.
stdout carries JSON lines: {"ready": true} once, then {"id": n, "text": "...", "final": true}.
argv: grammar file (JSGF), acoustic model dir, dictionary file.
"""
import json
import os
import struct
import sys

from pocketsphinx.pocketsphinx import Decoder


def main():
    grammar, hmm, dic = sys.argv[1], sys.argv[2], sys.argv[3]
    config = Decoder.default_config()
    config.set_string('-hmm', hmm)
    config.set_string('-dict', dic)
    config.set_string('-jsgf', grammar)
    config.set_string('-logfn', os.devnull)
    # Telephone audio upsampled to 16 kHz has no energy above 4 kHz; without dither the empty
    # mel bands' log energies swamp the features and the grammar search picks a wrong phrase.
    config.set_boolean('-dither', True)
    config.set_int('-seed', 1)
    # Wider beams: with the defaults some grammar phrases lose every path and decode to nothing.
    config.set_float('-beam', 1e-80)
    config.set_float('-wbeam', 1e-60)
    config.set_float('-pbeam', 1e-80)
    decoder = Decoder(config)
    out = sys.stdout
    out.write(json.dumps({'ready': True}) + '\n')
    out.flush()
    streams = {}
    inp = sys.stdin.buffer
    while True:
        head = inp.read(9)
        if len(head) < 9:
            return
        kind, sid, size = struct.unpack('<cII', head)
        payload = inp.read(size) if size else b''
        if kind == b'S':
            streams[sid] = bytearray()
        elif kind == b'A':
            buf = streams.get(sid)
            if buf is not None:
                buf.extend(payload)
        elif kind == b'X':
            streams.pop(sid, None)
        elif kind == b'E':
            buf = streams.pop(sid, None)
            text = ''
            if buf:
                decoder.start_utt()
                decoder.process_raw(bytes(buf), False, True)
                decoder.end_utt()
                hyp = decoder.hyp()
                text = hyp.hypstr if hyp is not None else ''
            out.write(json.dumps({'id': sid, 'text': text, 'final': True}) + '\n')
            out.flush()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
