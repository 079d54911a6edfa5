// The SRE workbook's alert windows and burn rates, scaled to an SLO's budget window. The workbook
// states them for 30 days (5m ... 3d); a 7-day budget keeps the burn rates and shrinks every
// window to 7/30 of it, so each alert still fires when the same share of the budget is gone.
import { SHORTEST_WINDOW_SECONDS_PER_DAY } from '@voicefleet/api';

/** The workbook's windows for a 30-day budget, in seconds, shortest first. */
const WORKBOOK_WINDOWS_SECONDS = [300, 1800, 3600, 7200, 21600, 86400, 259200] as const;
const WORKBOOK_DAYS = 30;

export type Severity = 'critical' | 'warning';

/** One multi-window alert: both windows burn at `burnRate` or faster. */
export interface BurnRateAlert {
  /** `critical` pages, `warning` opens a ticket. */
  severity: Severity;
  longWindow: string;
  shortWindow: string;
  burnRate: number;
  /** Share of the whole budget spent when the long window burns at `burnRate`. */
  budgetSpent: number;
}

/** Page: 1h/5m at 14.4x and 6h/30m at 6x; ticket: 1d/2h at 3x and 3d/6h at 1x (30 days). */
const WORKBOOK_ALERTS = [
  { severity: 'critical', long: 3600, short: 300, burnRate: 14.4 },
  { severity: 'critical', long: 21600, short: 1800, burnRate: 6 },
  { severity: 'warning', long: 86400, short: 7200, burnRate: 3 },
  { severity: 'warning', long: 259200, short: 21600, burnRate: 1 },
] as const;

export interface SloWindows {
  /** The budget window, e.g. `30d`. */
  budget: string;
  /** Every alert window, shortest first, e.g. `5m` ... `3d`. */
  alerting: string[];
  alerts: BurnRateAlert[];
}

export function sloWindows(windowDays: number): SloWindows {
  const scale = (seconds: number) => (seconds * windowDays) / WORKBOOK_DAYS;
  return {
    budget: promDuration(windowDays * 86400),
    alerting: WORKBOOK_WINDOWS_SECONDS.map((s) => promDuration(scale(s))),
    alerts: WORKBOOK_ALERTS.map((a) => ({
      severity: a.severity,
      longWindow: promDuration(scale(a.long)),
      shortWindow: promDuration(scale(a.short)),
      burnRate: a.burnRate,
      budgetSpent: (a.burnRate * a.long) / (WORKBOOK_DAYS * 86400),
    })),
  };
}

/** Seconds of the shortest alert window for a budget of `windowDays`. */
export function shortestWindowSeconds(windowDays: number): number {
  return windowDays * SHORTEST_WINDOW_SECONDS_PER_DAY;
}

const UNITS = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
] as const;

/** A whole number of seconds as a Prometheus duration in its largest exact unit: 3600 -> `1h`. */
export function promDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw new RangeError(`a window must be a positive whole number of seconds, got ${seconds}`);
  const [unit, size] = UNITS.find(([, size]) => seconds % size === 0) ?? ['s', 1];
  return `${seconds / size}${unit}`;
}
