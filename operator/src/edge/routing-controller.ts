// The edge routing reconciler: gather (the manager's caches) -> desiredEdgeRouting (pure) ->
// apply (persist a changed set-id assignment before any edge sees it, then hand each region's
// state to the sync loop). It keeps the assignment it last persisted: the ConfigMap is read once,
// on the first pass, and written through after that.
import type { ConfigMapValue } from '../kube/config-map-value.js';
import type { ReconcileResult } from '../runtime/work-queue.js';
import { desiredEdgeRouting, type EdgeRouting } from './desired-edge-routing.js';
import type { RegionConfig } from './edge-inputs.js';
import { gatherEdgeInputs, type EdgeCaches } from './gather-edge-inputs.js';
import { parseSetIds, serializeSetIds, type SetIdAssignment } from './set-ids.js';

export interface EdgeRoutingOptions {
  caches: EdgeCaches;
  regions: readonly RegionConfig[];
  /** Where the set-id assignment persists (a ConfigMap key in the operator's namespace). */
  setIds: ConfigMapValue;
  /** Pod address -> address Kamailio reaches it at (see EdgeInputs.addressMap). */
  addressMap?: ReadonlyMap<string, string>;
  /** Called after each pass with the routing every edge should now hold. */
  onRouting: (routing: EdgeRouting) => void;
}

export class EdgeRoutingController {
  private persisted: SetIdAssignment | undefined;

  constructor(private readonly o: EdgeRoutingOptions) {}

  async reconcile(): Promise<ReconcileResult> {
    this.persisted ??= parseSetIds(await this.o.setIds.read());
    const inputs = gatherEdgeInputs(this.o.caches, this.o.addressMap);
    const routing = desiredEdgeRouting({ ...inputs, setIds: this.persisted }, this.o.regions);
    if (routing.setIds.changed) {
      await this.o.setIds.write(serializeSetIds(routing.setIds.assignment));
      this.persisted = routing.setIds.assignment;
    }
    this.o.onRouting(routing);
    return undefined;
  }
}
