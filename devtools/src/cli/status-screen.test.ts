import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import xterm from '@xterm/headless';
import { StatusScreen } from './status-screen.js';

/** A terminal emulator behind a TTY-like stream: what a user would see on screen. */
function terminal(cols = 80, rows = 24) {
  // convertEol: the tty's line discipline turns \n into \r\n (onlcr)
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, convertEol: true });
  const pending: Promise<void>[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        pending.push(new Promise((written) => term.write(chunk.toString(), written)));
        done();
      },
    }),
    { isTTY: true, columns: cols, rows },
  );
  const screen = async (): Promise<string[]> => {
    await Promise.all(pending);
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++)
      lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    while (lines.at(-1) === '') lines.pop();
    return lines;
  };
  return { stream, screen };
}

describe('StatusScreen', () => {
  it('in a terminal, keeps the start-up lines and redraws only the table below them', async () => {
    const { stream, screen } = terminal();
    const s = new StatusScreen(stream);
    s.log('voicefleet dev: running crds/examples');
    s.log('edge for region us-east-1 listening on sip:127.0.0.1:5060');
    s.show(['AGENT  NODES', 'front  0/1']);
    s.log('media node front-desk-us-east-1-1 ready');
    s.show(['AGENT  NODES', 'front  1/1']);
    s.show(['AGENT  NODES', 'front  1/1']);
    assert.deepEqual(await screen(), [
      'voicefleet dev: running crds/examples',
      'edge for region us-east-1 listening on sip:127.0.0.1:5060',
      'media node front-desk-us-east-1-1 ready',
      'AGENT  NODES',
      'front  1/1',
    ]);
  });

  it('piped to a file, writes each line once and the table again only when it changed', () => {
    let written = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const s = new StatusScreen(out);
    s.log('started');
    s.show(['T 1']);
    s.show(['T 1']);
    s.show(['T 2']);
    assert.equal(written, 'started\n\nT 1\n\nT 2\n');
  });
});
