// Counters the endpoint keeps, plus optional hooks so the node can export them (prom-client).
import type { ParseErrorCode } from './parse-result.js';
import type { TransportName } from './transport.js';

export interface SipMetricsHooks {
  requestReceived?: (method: string, transport: TransportName) => void;
  responseSent?: (status: number, method: string) => void;
  parseError?: (code: ParseErrorCode, transport: TransportName) => void;
  transactionTimeout?: (method: string) => void;
  retransmission?: () => void;
}

export interface SipCounters {
  /** Datagrams and stream frames handed to the parser. */
  messagesReceived: number;
  requestsReceived: number;
  responsesSent: Map<number, number>;
  parseErrors: Map<ParseErrorCode, number>;
  transactionTimeouts: number;
  retransmissions: number;
}

export class SipMetrics {
  readonly counters: SipCounters = {
    messagesReceived: 0,
    requestsReceived: 0,
    responsesSent: new Map(),
    parseErrors: new Map(),
    transactionTimeouts: 0,
    retransmissions: 0,
  };
  readonly #hooks: SipMetricsHooks;

  constructor(hooks: SipMetricsHooks = {}) {
    this.#hooks = hooks;
  }

  requestReceived(method: string, transport: TransportName): void {
    this.counters.requestsReceived++;
    this.#hooks.requestReceived?.(method, transport);
  }

  responseSent(status: number, method: string): void {
    this.counters.responsesSent.set(status, (this.counters.responsesSent.get(status) ?? 0) + 1);
    this.#hooks.responseSent?.(status, method);
  }

  parseError(code: ParseErrorCode, transport: TransportName): void {
    this.counters.parseErrors.set(code, (this.counters.parseErrors.get(code) ?? 0) + 1);
    this.#hooks.parseError?.(code, transport);
  }

  transactionTimeout(method: string): void {
    this.counters.transactionTimeouts++;
    this.#hooks.transactionTimeout?.(method);
  }

  retransmission(): void {
    this.counters.retransmissions++;
    this.#hooks.retransmission?.();
  }
}
