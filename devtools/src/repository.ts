// Files of this repository that the developer tools use as they are: the example manifests
// `voicefleet dev` runs by default, and the chart's Kamailio configuration every local edge runs.
import { fileURLToPath } from 'node:url';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../crds/examples/', import.meta.url));
export const EDGE_CONFIG_DIR = fileURLToPath(
  new URL('../../charts/voicefleet/files/kamailio/', import.meta.url),
);
