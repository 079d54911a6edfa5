// The edge status reconciler: gather (agents and trunks from the caches, the routing last decided,
// what each edge reported) -> decideEdgeStatus (pure) -> apply (at most one status write per
// object, field manager voicefleet-edge; Events on gateway transitions).
import { SIP_TRUNK_KIND, VOICE_AGENT_KIND } from '@voicefleet/api';
import type { Applier } from '../kube/apply.js';
import { eventTargetOf, recordEvents, statusTargetOf } from '../kube/custom-resources.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../runtime/log.js';
import { readSipTrunk } from '../resources.js';
import type { ReconcileResult } from '../runtime/work-queue.js';
import { decideEdgeStatus, type EdgeObservation } from './decide-edge-status.js';
import type { EdgeRouting } from './desired-edge-routing.js';
import type { EdgeCaches } from './gather-edge-inputs.js';

export interface EdgeStatusOptions {
  caches: Pick<EdgeCaches, 'agents' | 'trunks'>;
  /** The routing last decided; undefined before the first routing pass. */
  routing: () => EdgeRouting | undefined;
  /** What each current edge reported in its last pass; undefined until every one has reported. */
  edges: () => readonly EdgeObservation[] | undefined;
  applier: Applier;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
}

export class EdgeStatusController {
  constructor(private readonly o: EdgeStatusOptions) {}

  async reconcile(): Promise<ReconcileResult> {
    const routing = this.o.routing();
    const edges = this.o.edges();
    if (routing === undefined || edges === undefined) return undefined;
    const now = this.o.now();
    const decision = decideEdgeStatus({
      routing,
      agents: this.o.caches.agents.list(),
      trunks: this.o.caches.trunks.list().flatMap((t) => {
        const read = readSipTrunk(t);
        return read.errors.length > 0 ? [] : [read.value];
      }),
      edges,
      now,
    });
    for (const write of decision.writes) {
      const target =
        write.kind === VOICE_AGENT_KIND
          ? statusTargetOf(VOICE_AGENT_KIND, write.object)
          : statusTargetOf(SIP_TRUNK_KIND, write.object);
      await this.o.applier.applyStatus(target, write.status);
    }
    for (const { object, event } of decision.events) {
      const target = eventTargetOf(SIP_TRUNK_KIND, object);
      await recordEvents(this.o.events, target, [event], now, this.o.log);
    }
    return undefined;
  }
}
