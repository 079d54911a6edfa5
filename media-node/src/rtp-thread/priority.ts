// The RTP thread's scheduling priority. The thread shares the node's core(s) with the event loop,
// V8's helper threads and the others, and a packet cannot wait for their turn: the RTP thread runs
// fifteen nice levels ahead of every other thread of the process. It asks to be raised fifteen
// (takePriority, on the thread; granted with CAP_SYS_NICE, and the process keeps its place among
// other processes); where refused, every other thread of the process steps down fifteen instead
// (lowerOtherThreads, on the event loop; a thread may lower its own process's threads without
// privilege). When they all want the core, the RTP thread wakes up and sends first.
import { readdirSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Nice levels between the RTP thread and every other thread: each level weighs 1.25, so 15 is
 * 28:1 when both want the core. Measured on one core at 300 agent calls: 10 left the send-gap p99
 * at 4-5.5 ms, 19-20 brought it under 3 ms (docs/media.md, "The RTP thread"). The thread asks to
 * be raised this much; the others step down only by what it could not get.
 */
export const SEPARATION = 15;
export const NICE_MAX = 19;

/** The scheduling priorities the RTP thread runs with (nice values: lower runs first). */
export interface RtpThreadPriority {
  thread: number;
  /** The event loop's; every other thread of the process is at least this nice. */
  eventLoop: number;
  /** The thread runs above the process's starting priority (the kernel granted CAP_SYS_NICE). */
  threadRaised: boolean;
}

/**
 * Event loop: sets every thread of this process but `keep` to at least `nice`; Linux only, best
 * effort.
 */
export function lowerOtherThreads(keep: number | undefined, nice: number): void {
  let tids = [0]; // 0: the calling thread, where the threads cannot be listed
  if (keep !== undefined) {
    try {
      tids = readdirSync('/proc/self/task').map(Number);
    } catch {
      // no procfs: the event loop alone
    }
  }
  for (const tid of tids) {
    if (tid === keep) continue;
    try {
      if (getPriority(tid) < nice) setPriority(tid, nice);
    } catch {
      // the thread ended meanwhile, or the kernel has no per-thread priorities
    }
  }
}

/** RTP thread: its kernel id (Linux: /proc/thread-self is `<pid>/task/<tid>`). */
export function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** RTP thread: asks for the nice value and reports the one it has (unprivileged, the ask fails). */
export function takePriority(nice: number): number {
  try {
    setPriority(0, nice); // 0: this thread (nice values are per thread on Linux)
  } catch {
    // EACCES without CAP_SYS_NICE: the other threads step down instead (lowerOtherThreads).
  }
  return getPriority(0);
}
