// The contract between whoever speaks on a call (the agent) and the call's outbound media.

/** Where the agent writes what it says; an RtpSession is one. */
export interface AudioSink {
  /** Queues one 20 ms frame (PCM16 mono 8 kHz, 160 samples) for paced playout. */
  write(frame: Int16Array): void;
  /**
   * Barge-in: drops everything queued; nothing more of it is sent after the current frame.
   * Returns the time (performance.now()) playback stopped when the media path had already held it
   * at the caller's speech onset (the RTP thread does), otherwise nothing: it stops now.
   */
  clear(): number | void;
  /**
   * Calls `callback` once, with the monotonic time (performance.now()) at which the first frame
   * written after this call left as RTP. `clear()` cancels a callback that has not fired yet.
   */
  onFirstFrameSent(callback: (sentAtMs: number) => void): void;
  /** Frames queued and not yet sent. */
  readonly queuedFrames: number;
}
