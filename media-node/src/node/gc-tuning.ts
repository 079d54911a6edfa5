/**
 * Garbage-collector settings for the media node's process. V8 splits each minor GC (scavenge)
 * across helper threads; when the process may run on one CPU only (e.g. `taskset -c 1`, a one-CPU
 * cpuset) the helpers cannot run beside the event-loop thread, which then waits for them to be
 * scheduled: in isolation each scavenge paused the loop 3-4 times longer (2-2.6 ms against
 * 0.6 ms at the median). On one CPU the node therefore scavenges on the loop thread alone.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/** The V8 flags the node sets for `cpus` usable CPUs (pure). */
export function gcFlagsFor(cpus: number): string[] {
  return cpus <= 1 ? ['--no-parallel-scavenge'] : [];
}

/** Applies `gcFlagsFor` to this process (call first thing); returns the flags it set. */
export function tuneGarbageCollector(cpus: number = availableParallelism()): string[] {
  const flags = gcFlagsFor(cpus);
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}
