import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TypedEmitter } from './typed-emitter.js';

type Events = { ping: [n: number]; done: [] };

class Pinger extends TypedEmitter<Events> {
  ping(n: number): void {
    this.emit('ping', n);
  }
  done(): void {
    this.emit('done');
  }
}

describe('typed emitter', () => {
  it('calls every listener in the order they came, with the arguments', () => {
    const heard: string[] = [];
    const p = new Pinger()
      .on('ping', (n) => heard.push(`a${n}`))
      .on('ping', (n) => heard.push(`b${n}`));
    p.ping(1);
    assert.deepEqual(heard, ['a1', 'b1']);
  });

  it('once listens for one event; off stops a listener, also while the event is emitted', () => {
    const heard: number[] = [];
    const p = new Pinger();
    const second = (n: number) => heard.push(n * 10);
    p.once('ping', (n) => heard.push(n));
    p.on('ping', () => p.off('ping', second)); // the emit in progress still reaches `second`
    p.on('ping', second);
    p.ping(1);
    p.ping(2);
    assert.deepEqual(heard, [1, 10]);
    assert.equal(p.listenerCount('ping'), 1);
  });

  it('an error nobody listens for is no error, and an event without listeners is fine', () => {
    const p = new Pinger();
    assert.doesNotThrow(() => p.done());
  });

  it("rethrows a listener's error by default; onListenerError takes it instead when set", () => {
    const p = new Pinger().on('ping', () => {
      throw new Error('listener bug');
    });
    assert.throws(() => p.ping(1), /listener bug/);
    const caught: unknown[] = [];
    let later = 0;
    p.onListenerError = (error) => caught.push(error);
    p.on('ping', (n) => (later = n));
    p.ping(2);
    assert.equal(caught.length, 1);
    assert.equal(later, 2, 'the listeners after the one that threw still hear the event');
  });

  it('removeAllListeners drops one event or all', () => {
    const p = new Pinger().on('ping', () => undefined).on('done', () => undefined);
    p.removeAllListeners('ping');
    assert.equal(p.listenerCount('ping'), 0);
    assert.equal(p.listenerCount('done'), 1);
    p.removeAllListeners();
    assert.equal(p.listenerCount('done'), 0);
  });
});
