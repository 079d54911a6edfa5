// List and watch of one resource over the Kubernetes API, as the informer needs them: list pages
// through with `limit`/`continue`; watch asks for bookmarks and a server-side timeout, and reports
// how it ended (closed by the server, expired with 410, failed, or aborted by the caller).
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { CachedObject } from './cached-object.js';
import { request, type RequestOptions } from 'node:https';

export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Lower-case plural, e.g. `deployments`. */
  plural: string;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; resourceVersion: string };

export type WatchEnd =
  | { kind: 'closed' }
  | { kind: 'expired' }
  | { kind: 'aborted' }
  | { kind: 'error'; error: unknown };

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface WatchRequest<T> {
  resourceVersion: string;
  timeoutSeconds: number;
  signal: AbortSignal;
  onEvent: (event: WatchEvent<T>) => void;
}

/** What the informer needs from the API; a fake implements it in unit tests. */
export interface ListWatcher<T> {
  list(signal: AbortSignal): Promise<ListResult<T>>;
  watch(request: WatchRequest<T>): Promise<WatchEnd>;
}

export class ApiStatusError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'ApiStatusError';
  }
}

export function resourcePath(ref: ResourceRef): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const ns = ref.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(ref.namespace)}`;
  return `${base}${ns}/${ref.plural}`;
}

async function getJson(kc: KubeConfig, url: URL, signal: AbortSignal): Promise<unknown> {
  const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, signal, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          reject(
            new ApiStatusError(`GET ${url.pathname}: HTTP ${status} ${body.slice(0, 300)}`, status),
          );
          return;
        }
        try {
          resolve(JSON.parse(body));
        } catch (cause) {
          reject(new Error(`GET ${url.pathname}: malformed JSON`, { cause }));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url.pathname}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

interface ListPage<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

export function kubeListWatcher<T extends CachedObject>(
  kc: KubeConfig,
  ref: ResourceRef,
): ListWatcher<T> {
  const path = resourcePath(ref);
  const selectors: Record<string, string> = {};
  if (ref.labelSelector !== undefined) selectors.labelSelector = ref.labelSelector;
  if (ref.fieldSelector !== undefined) selectors.fieldSelector = ref.fieldSelector;
  const apiVersion = ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;

  return {
    async list(signal) {
      const server = kc.getCurrentCluster()?.server;
      if (server === undefined) throw new Error('kubeconfig has no current cluster');
      const items: T[] = [];
      let continueToken: string | undefined;
      let resourceVersion = '';
      do {
        const url = new URL(server + path);
        for (const [k, v] of Object.entries(selectors)) url.searchParams.set(k, v);
        url.searchParams.set('limit', '500');
        if (continueToken !== undefined) url.searchParams.set('continue', continueToken);
        const page = (await getJson(kc, url, signal)) as ListPage<T>;
        const kind = page.kind?.replace(/List$/, '');
        for (const item of page.items ?? []) {
          items.push({ apiVersion, ...(kind === undefined ? {} : { kind }), ...item });
        }
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        continueToken = page.metadata?.continue || undefined;
      } while (continueToken !== undefined);
      return { items, resourceVersion };
    },

    async watch({ resourceVersion, timeoutSeconds, signal, onEvent }) {
      let settle: (end: WatchEnd) => void = () => undefined;
      const ended = new Promise<WatchEnd>((resolve) => (settle = resolve));
      let controller: AbortController | undefined;
      // Settle before aborting: aborting makes the client report an error synchronously.
      const onAbort = () => {
        settle({ kind: 'aborted' });
        controller?.abort();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const params = { ...selectors, resourceVersion, timeoutSeconds, allowWatchBookmarks: true };
      const handle = (type: string, object: unknown) => {
        if (type === 'ERROR') {
          const status = object as { code?: number; message?: string };
          if (status.code === 410) settle({ kind: 'expired' });
          else
            settle({
              kind: 'error',
              error: new ApiStatusError(
                `watch ${path}: ${status.message ?? 'error'}`,
                status.code ?? 0,
              ),
            });
          controller?.abort();
        } else if (type === 'BOOKMARK') {
          const rv = (object as CachedObject).metadata?.resourceVersion;
          if (rv !== undefined) onEvent({ type: 'BOOKMARK', resourceVersion: rv });
        } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          onEvent({ type, object: { apiVersion, ...(object as T) } });
        }
      };
      const done = (err: unknown) => {
        const code = (err as { statusCode?: number } | null)?.statusCode;
        if (err === null || err === undefined) settle({ kind: 'closed' });
        else if (code === 410) settle({ kind: 'expired' });
        else settle({ kind: 'error', error: err });
      };
      try {
        controller = await new Watch(kc).watch(path, params, handle, done);
        if (signal.aborted) controller.abort();
      } catch (error) {
        settle({ kind: 'error', error });
      }
      const end = await ended;
      signal.removeEventListener('abort', onAbort);
      return end;
    },
  };
}
