// What every controller is handed: the writers (server-side apply, Events), a logger and the
// clock. The manager wires the real ones; unit tests pass small fakes.
import type { Applier } from '../kube/apply.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../runtime/log.js';

export interface ControllerDeps {
  applier: Applier;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
}
