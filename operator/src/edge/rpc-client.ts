// KamailioRpcClient: JSON-RPC 2.0 over HTTP to one Kamailio's control port, with the bearer token
// and a per-call timeout. Errors carry the RPC method (never the parameters: they may hold secrets).

export interface KamailioEndpoint {
  /** Name for logs and metrics, e.g. the pod name. */
  name: string;
  /** e.g. `http://10.0.0.5:5090/RPC`. */
  rpcUrl: string;
  token: string;
}

export class KamailioRpcError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly code?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KamailioRpcError';
  }

  /** The dispatcher answered that a change is rate limited by `reload_delta`. */
  get ongoingReload(): boolean {
    return /ongoing reload/i.test(this.message);
  }
}

export class KamailioRpcClient {
  private nextId = 1;

  constructor(
    readonly endpoint: KamailioEndpoint,
    private readonly timeoutMs = 2000,
  ) {}

  async call<T = unknown>(method: string, params: readonly unknown[] = []): Promise<T> {
    const id = this.nextId++;
    let response: Response;
    try {
      response = await fetch(this.endpoint.rpcUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.endpoint.token}`,
        },
        body: JSON.stringify({ jsonrpc: '2.0', method, params, id }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new KamailioRpcError(`kamailio ${this.endpoint.name} unreachable`, method, undefined, {
        cause,
      });
    }
    const text = await response.text();
    let body: { result?: unknown; error?: { code?: number; message?: string } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (cause) {
      // jsonrpcs answers errors with HTTP 500 and a JSON body; anything else is not Kamailio's RPC.
      throw new KamailioRpcError(
        `kamailio ${this.endpoint.name} answered HTTP ${response.status}`,
        method,
        response.status,
        { cause },
      );
    }
    if (body.error !== undefined) {
      throw new KamailioRpcError(body.error.message ?? 'rpc error', method, body.error.code);
    }
    return body.result as T;
  }
}
