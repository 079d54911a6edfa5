// The pool scaler: how many media pods one (agent, region) pool should run, from the calls on
// it, the policy and the time. Pure, like Agones' buffer policy, in calls instead of servers:
//
//   wanted = ceil((calls + buffer) / callsPerPod), buffer = max(bufferCalls, bufferPercent of calls)
//
// clamped to [minReplicas, maxReplicas]. Up at once; down only to the largest size wanted within
// scaleDownStabilizationSeconds, never while a ready pod's calls are unknown, and never below
// what the calls in progress need. Each direction may be rate limited (pods per step, seconds
// between steps). The memory this needs (recent recommendations, last step times) is data the
// caller keeps in the VoiceAgent's status and hands back in: the scaler keeps none.
import type { ScaleLimit, ScaleLimitReason, ScaleRecommendation } from '@voicefleet/api';

export interface PoolPolicy {
  callsPerPod: number;
  bufferCalls: number;
  bufferPercent: number;
  minReplicas: number;
  maxReplicas: number;
  scaleDownStabilizationSeconds: number;
  scaleUpLimit?: ScaleLimit | undefined;
  scaleDownLimit?: ScaleLimit | undefined;
}

/** What the scaler remembers between passes (kept in status.regions[]). */
export interface ScaleHistory {
  /** Sizes wanted within the stabilization window, each from its time on; largest first. */
  recommendations: ScaleRecommendation[];
  lastScaleUpTime?: string | undefined;
  lastScaleDownTime?: string | undefined;
}

export interface PoolObservation {
  /** The Deployment's replicas now; undefined while the pool does not exist yet. */
  replicas: number | undefined;
  /** Calls on the pool's pods that are not draining (calls on draining pods end there). */
  calls: number;
  /** Ready pods, not draining, that have not reported their calls: nothing is removed meanwhile. */
  unknownPods: number;
  history: ScaleHistory;
}

export interface PoolScale {
  replicas: number;
  /** Why replicas differs from what the calls alone ask for, if it does. */
  limited?: ScaleLimitReason;
  /** The choice in words, for status and Events. */
  reason: string;
  history: ScaleHistory;
  /** When the answer may change with no new input (a window or a rate limit runs out). */
  requeueAfterMs?: number;
}

const secondsOf = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();
const pods = (n: number): string => `${n} pod${n === 1 ? '' : 's'}`;

/** Pods the calls ask for with the buffer, before min/max: the Agones buffer policy in calls. */
export function wantedReplicas(
  calls: number,
  p: Pick<PoolPolicy, 'callsPerPod' | 'bufferCalls' | 'bufferPercent'>,
): number {
  const active = Math.max(0, calls);
  const buffer = Math.max(p.bufferCalls, Math.ceil((active * p.bufferPercent) / 100));
  return Math.ceil((active + Math.max(0, buffer)) / Math.max(1, p.callsPerPod));
}

export function scalePool(obs: PoolObservation, p: PoolPolicy, now: Date): PoolScale {
  const nowMs = now.getTime();
  const perPod = Math.max(1, p.callsPerPod);
  const wanted = wantedReplicas(obs.calls, p);
  const target = Math.min(p.maxReplicas, Math.max(p.minReplicas, wanted));
  const need = `${obs.calls} calls + buffer ask for ${pods(wanted)} of ${perPod}`;
  const clampNote =
    wanted > p.maxReplicas
      ? { limited: 'MaxReplicas' as const, reason: `${need}; maxReplicas is ${p.maxReplicas}` }
      : wanted < p.minReplicas
        ? { limited: 'MinReplicas' as const, reason: `${need}; minReplicas is ${p.minReplicas}` }
        : { reason: need };
  const current = obs.replicas;
  if (current === undefined) {
    return { replicas: target, ...clampNote, history: { recommendations: [] } };
  }
  const history: ScaleHistory = { ...obs.history };

  if (target >= current) {
    history.recommendations = []; // nothing smaller was wanted since: no window to wait out
    if (target === current) return { replicas: current, ...clampNote, history };
    return stepUp(current, target, clampNote, history, p.scaleUpLimit, nowMs);
  }

  // Fewer pods would do. Nothing is removed on a partial view of the calls.
  if (obs.unknownPods > 0) {
    return {
      replicas: current,
      limited: 'LoadUnknown',
      reason: `${need}; waiting for ${pods(obs.unknownPods)} to report calls before removing any`,
      history,
    };
  }
  // Never fewer pods than the calls on them need, whatever maxReplicas says.
  const floor = Math.min(current, Math.ceil(obs.calls / perPod));
  const lower = Math.max(target, floor);
  const inProgress = {
    limited: 'CallsInProgress' as const,
    reason: `${obs.calls} calls in progress need ${pods(lower)} of ${perPod}; maxReplicas is ${p.maxReplicas}`,
  };
  if (lower >= current) {
    return { replicas: current, ...inProgress, history: { ...history, recommendations: [] } };
  }
  const windowMs = p.scaleDownStabilizationSeconds * 1000;
  // Entering a scale-down: the current size was wanted until now.
  const seen = obs.history.recommendations;
  const since = seen.length > 0 ? seen : [{ time: secondsOf(nowMs), replicas: current }];
  history.recommendations = recordRecommendation(since, lower, nowMs, windowMs);
  const stabilized = Math.max(lower, history.recommendations[0]?.replicas ?? lower);
  // The window's largest size lapses when the entry after it has covered a whole window.
  const second = history.recommendations[1];
  const lapse =
    second === undefined
      ? {}
      : { requeueAfterMs: Math.max(0, Date.parse(second.time) + windowMs - nowMs) };
  if (stabilized >= current) {
    return {
      replicas: current,
      limited: 'Stabilizing',
      reason: `${need}; keeping ${pods(current)} until ${pods(lower)} have been enough for ${p.scaleDownStabilizationSeconds}s`,
      history,
      ...lapse,
    };
  }
  const down = stepDown(
    current,
    stabilized,
    lower,
    need,
    lower > target ? inProgress : clampNote,
    history,
    p.scaleDownLimit,
    nowMs,
  );
  return down.requeueAfterMs === undefined && down.replicas > lower ? { ...down, ...lapse } : down;
}

function stepUp(
  current: number,
  target: number,
  clampNote: { limited?: ScaleLimitReason; reason: string },
  history: ScaleHistory,
  limit: ScaleLimit | undefined,
  nowMs: number,
): PoolScale {
  const wait = waitMs(history.lastScaleUpTime, limit, nowMs);
  if (wait > 0) {
    return {
      replicas: current,
      limited: 'RateLimited',
      reason: `${clampNote.reason}; scaleUpLimit allows the next step in ${Math.ceil(wait / 1000)}s`,
      history,
      requeueAfterMs: wait,
    };
  }
  const replicas = limit === undefined ? target : Math.min(target, current + limit.pods);
  const next = { ...history, lastScaleUpTime: secondsOf(nowMs) };
  if (replicas < target && limit !== undefined) {
    return {
      replicas,
      limited: 'RateLimited',
      reason: `${clampNote.reason}; scaleUpLimit adds ${pods(limit.pods)} per ${limit.periodSeconds}s`,
      history: next,
      requeueAfterMs: limit.periodSeconds * 1000,
    };
  }
  return { replicas, ...clampNote, history: next };
}

function stepDown(
  current: number,
  stabilized: number,
  lower: number,
  need: string,
  clampNote: { limited?: ScaleLimitReason; reason: string },
  history: ScaleHistory,
  limit: ScaleLimit | undefined,
  nowMs: number,
): PoolScale {
  const wait = waitMs(history.lastScaleDownTime, limit, nowMs);
  if (wait > 0) {
    return {
      replicas: current,
      limited: 'RateLimited',
      reason: `${need}; scaleDownLimit allows the next step in ${Math.ceil(wait / 1000)}s`,
      history,
      requeueAfterMs: wait,
    };
  }
  const replicas = limit === undefined ? stabilized : Math.max(stabilized, current - limit.pods);
  const next = { ...history, lastScaleDownTime: secondsOf(nowMs) };
  if (replicas > lower) {
    const why =
      replicas > stabilized && limit !== undefined
        ? { limited: 'RateLimited' as const, reason: `${need}; scaleDownLimit removes ${pods(limit.pods)} per ${limit.periodSeconds}s`, requeueAfterMs: limit.periodSeconds * 1000 } // prettier-ignore
        : { limited: 'Stabilizing' as const, reason: `${need}; ${pods(stabilized)} were wanted within the stabilization window` }; // prettier-ignore
    return { replicas, ...why, history: next };
  }
  return { replicas, ...clampNote, history: next };
}

/** Milliseconds until a rate limit lets the next step through (0: now). */
function waitMs(last: string | undefined, limit: ScaleLimit | undefined, nowMs: number): number {
  if (limit === undefined || last === undefined) return 0;
  return Math.max(0, Date.parse(last) + limit.periodSeconds * 1000 - nowMs);
}

/**
 * The recommendations with `replicas` wanted from now on: a sliding-window maximum of a step
 * function. Each entry holds from its time until the next entry's. Smaller entries that a larger
 * new one outweighs merge into it, from the first one's time (the window always ends now, where
 * the new size holds, so this never hides a larger size). The front goes once the entry after it
 * has held for the whole window. A repeat of the last size changes nothing (a steady pool writes
 * no status).
 */
export function recordRecommendation(
  previous: readonly ScaleRecommendation[],
  replicas: number,
  nowMs: number,
  windowMs: number,
): ScaleRecommendation[] {
  const k = previous.findIndex((r) => r.replicas <= replicas);
  const out = k < 0 ? [...previous] : previous.slice(0, k);
  out.push({ time: k < 0 ? secondsOf(nowMs) : (previous[k]?.time ?? secondsOf(nowMs)), replicas });
  while (out.length > 1 && Date.parse(out[1]?.time ?? '') <= nowMs - windowMs) out.shift();
  return out;
}
