// Follows the call events of the local fleet's media nodes (`GET /events`, newline-delimited JSON)
// so the caller can show what the agent heard and said and how long each stage took.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

export type NodeCallEvent =
  | { type: 'transcript'; callId: string; role: 'caller' | 'agent'; text: string; at: string }
  | { type: 'turn'; callId: string; timings: Record<string, number | undefined>; at: string }
  | { type: 'action'; callId: string; action: string; at: string }
  | { type: 'call.ended'; callId: string; reason: string; at: string }
  | { type: string; callId: string; at: string };

/** Streams events from every node until `signal` aborts; a node that is unreachable is skipped. */
export function followNodeEvents(
  urls: readonly string[],
  onEvent: (event: NodeCallEvent) => void,
  signal: AbortSignal,
): Promise<void>[] {
  return urls.map(async (url) => {
    try {
      const response = await fetch(`${url}/events`, { signal });
      if (!response.ok || response.body === null) return;
      const lines = createInterface({ input: Readable.fromWeb(response.body as never) });
      for await (const line of lines) {
        if (line.trim() === '') continue;
        try {
          onEvent(JSON.parse(line) as NodeCallEvent);
        } catch {
          // not an event line; keep reading
        }
      }
    } catch {
      // aborted, or the node went away: its events are simply not shown
    }
  });
}
