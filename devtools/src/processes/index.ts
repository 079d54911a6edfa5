// Processes on loopback, shared by the local fleet and the tests: free ports from a band nothing
// else hands out, and child processes with their output in a log, a readiness probe, and a stop
// by PID (SIGTERM, then SIGKILL).
export { freePort, freePorts } from './free-port.js';
export { waitFor, type WaitOptions } from './wait.js';
export {
  spawnProcess,
  waitUntilReady,
  waitForLogLine,
  tailFile,
  type ManagedProcess,
  type SpawnOptions,
  type ExitInfo,
} from './supervisor.js';
