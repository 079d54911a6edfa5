/**
 * A VoiceAgent's service-level objectives and how its media pods are scraped. The objectives
 * become Prometheus recording and alerting rules (operator/src/monitoring); a latency threshold
 * must be a bucket boundary of the histograms the media node exports, or no series counts it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { cel } from './cel.js';

/**
 * Bucket boundaries (milliseconds) of the media node's latency histograms: turn latency per stage
 * and call setup. An SLO threshold must be one of them.
 */
export const LATENCY_BUCKETS_MS = [
  5, 10, 25, 50, 100, 150, 200, 250, 300, 400, 500, 600, 750, 1000, 1250, 1500, 2000, 2500, 3000,
  5000, 10000,
] as const;
export type LatencyBucketMs = (typeof LATENCY_BUCKETS_MS)[number];

/** The shortest alert window is 5 minutes for a 30-day budget and scales with `windowDays`. */
export const SHORTEST_WINDOW_SECONDS_PER_DAY = 300 / 30;

const bucketThreshold = (def: LatencyBucketMs, description: string) =>
  Type.Union(
    LATENCY_BUCKETS_MS.map((ms) => Type.Literal(ms)),
    { default: def, description: `${description} One of the histogram bucket boundaries.` },
  );

/**
 * An objective in the open interval (0.5, 0.99999). A CEL rule rather than exclusive bounds: the
 * API server prints a bound of an integer value as an integer ("should be less than 0" for 1).
 */
const objective = (def: number, description: string) =>
  Type.Number({
    default: def,
    description: `${description} Greater than 0.5 and less than 0.99999.`,
    'x-kubernetes-validations': [
      cel(
        'self > 0.5 && self < 0.99999',
        'an objective must be greater than 0.5 and less than 0.99999, e.g. 0.99 or 0.999',
        (self: number) => self > 0.5 && self < 0.99999,
      ),
    ],
  });

export const Slo = Type.Object(
  {
    windowDays: Type.Integer({
      minimum: 1,
      maximum: 90,
      default: 30,
      description:
        'Days over which the error budget is counted. The alert windows scale with it: 5m, 30m, 1h, 2h, 6h, 1d and 3d for 30 days.',
    }),
    turnLatencyMs: bucketThreshold(
      1000,
      'Target milliseconds from end of caller speech to the first agent audio sent.',
    ),
    turnLatencyObjective: objective(0.99, 'Share of turns that must meet turnLatencyMs.'),
    callSetupMs: bucketThreshold(300, 'Target milliseconds from INVITE received to 200 OK sent.'),
    callSetupObjective: objective(0.99, 'Share of answered calls that must meet callSetupMs.'),
    answerSuccessObjective: objective(
      0.999,
      'Share of calls offered to the agent that must be answered.',
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'Latency and availability objectives. Each becomes error-budget recording rules and multi-window multi-burn-rate alerts (page and ticket).',
  },
);
export type Slo = Static<typeof Slo>;

export const Monitoring = Type.Object(
  {
    scrapeIntervalSeconds: Type.Integer({
      minimum: 1,
      maximum: 300,
      default: 15,
      description:
        "Seconds between Prometheus scrapes of the agent's media pods (the interval of the PodMonitor written for the agent).",
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: "How Prometheus scrapes the agent's media pods.",
  },
);
export type Monitoring = Static<typeof Monitoring>;

/** The shortest alert window must hold two scrapes, or rate() over it has nothing to say. */
export const sloWindowRule = cel(
  'self.slo.windowDays * 10 >= 2 * self.monitoring.scrapeIntervalSeconds',
  'the shortest alert window (windowDays x 10 s: 5m for 30 days) must be at least twice monitoring.scrapeIntervalSeconds, so that rate() sees two samples: with the default 15 s scrape, windowDays must be 3 or more',
  (self: { slo: Slo; monitoring: Monitoring }) =>
    self.slo.windowDays * SHORTEST_WINDOW_SECONDS_PER_DAY >=
    2 * self.monitoring.scrapeIntervalSeconds,
  '.slo.windowDays',
);
