"""pocketsphinx 0.8 recogniser for the media node: one process serves many calls.

stdin carries frames: 1 byte type, 4 bytes stream id (LE), 4 bytes payload length (LE), payload.
Types: S start, A audio (PCM16 LE mono 16 kHz), E end (decode and answer), X drop.
stdout carries JSON lines: {"ready": true} once, then {"id": n, "text": "...", "final": true}.
Each open stream has its own decoder, fed as audio arrives.
argv: grammar file (JSGF), acoustic model dir, dictionary file, and optionally a warm-up
utterance (raw PCM16 LE mono 16 kHz) every new decoder hears before its first call.
"""
import json
import os
import struct
import sys

from pocketsphinx.pocketsphinx import Decoder


def make_config(grammar, hmm, dic):
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
    return config


# Decoders kept for reuse: making one takes ~0.4 s, so utterances borrow and return them.
IDLE_DECODERS = 4


def new_decoder(config, warm_up):
    """A decoder whose live cepstral mean has settled on call audio.

    Live CMN starts from the acoustic model's defaults, far from G.711 speech, and a fresh decoder
    fed incrementally misses its first utterance; after one utterance it recognises as well as
    batch decoding. The warm-up gives it that utterance.
    """
    decoder = Decoder(config)
    if warm_up:
        decoder.start_utt()
        for at in range(0, len(warm_up), 3200):
            decoder.process_raw(warm_up[at:at + 3200], False, False)
        decoder.end_utt()
    return decoder


def main():
    config = make_config(sys.argv[1], sys.argv[2], sys.argv[3])
    warm_up = b''
    if len(sys.argv) > 4:
        with open(sys.argv[4], 'rb') as f:
            warm_up = f.read()
    idle = [new_decoder(config, warm_up)]
    out = sys.stdout
    out.write(json.dumps({'ready': True}) + '\n')
    out.flush()
    # Each open utterance decodes as its audio arrives, so the result is ready the moment the
    # caller's turn ends (end_utt takes ~1 ms; decoding the whole utterance then took 100-300 ms).
    streams = {}
    inp = sys.stdin.buffer

    def release(decoder):
        if len(idle) < IDLE_DECODERS:
            idle.append(decoder)

    while True:
        head = inp.read(9)
        if len(head) < 9:
            return
        kind, sid, size = struct.unpack('<cII', head)
        payload = inp.read(size) if size else b''
        if kind == b'S':
            decoder = idle.pop() if idle else new_decoder(config, warm_up)
            decoder.start_utt()
            streams[sid] = [decoder, False]
        elif kind == b'A':
            stream = streams.get(sid)
            if stream is not None and payload:
                stream[0].process_raw(payload, False, False)
                stream[1] = True
        elif kind == b'X':
            stream = streams.pop(sid, None)
            if stream is not None:
                stream[0].end_utt()
                release(stream[0])
        elif kind == b'E':
            stream = streams.pop(sid, None)
            text = ''
            if stream is not None:
                decoder, heard = stream
                decoder.end_utt()
                hyp = decoder.hyp() if heard else None
                text = hyp.hypstr if hyp is not None else ''
                release(decoder)
            out.write(json.dumps({'id': sid, 'text': text, 'final': True}) + '\n')
            out.flush()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
