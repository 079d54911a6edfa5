// The local fleet: the operator's reconcile core run on loopback (one Kamailio per region, media-node
// processes per pool), the manifest folder it reads, and the state file `voicefleet call` finds.
export { LocalFleet, type LocalFleetOptions } from './local-fleet.js';
export { loadManifestFolder, type ManifestFolder, type LocalSecret } from './manifest-folder.js';
export { defaultRunDir, readDevState, type DevState } from './dev-state.js';
export { EDGE_CONFIG_DIR } from '../repository.js';
export { kamailioArgs, renderLocalEdgeConfig, type LocalEdgeSettings } from './local-edge.js';
