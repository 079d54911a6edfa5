// The RTP thread's entry (a worker thread started by client/rtp-thread.ts): takes its priority,
// reports ready, and hands every request from the event loop to the thread's host.
import { parentPort, workerData } from 'node:worker_threads';
import type { RtpThreadData, RtpThreadRequest } from '../protocol.js';
import { takePriority, threadId } from '../priority.js';
import { RtpThreadHost } from './thread-host.js';

const port = parentPort;
if (port) {
  const { timeOrigin, nice } = workerData as RtpThreadData;
  const offset = performance.timeOrigin - timeOrigin;
  const host = new RtpThreadHost(port, () => performance.now() + offset);
  port.on('message', (request: RtpThreadRequest) => host.handle(request));
  const tid = threadId();
  host.post({ type: 'ready', nice: takePriority(nice), ...(tid === undefined ? {} : { tid }) });
}
