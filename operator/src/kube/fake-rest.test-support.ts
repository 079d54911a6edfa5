// A KubeRest that records requests and answers from a callback, for unit tests of the writers.
import type { KubeRest } from './kube-rest.js';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  contentType: string | undefined;
}

export function fakeRest(
  answer: (req: RecordedRequest) => unknown = () => ({}),
): KubeRest & { requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    request(method, path, body, contentType) {
      const req = { method, path, body, contentType };
      requests.push(req);
      return Promise.resolve(answer(req));
    },
  };
}
