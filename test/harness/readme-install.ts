// The README's "Install in a cluster" block as commands: what the installed tier and
// bench:install run, so that the README stays exactly what they prove.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

/** The README's install block: `helm install ...` and `kubectl apply ...`, continuations joined. */
export function readmeInstall(): { helm: string[]; apply: string[] } {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Install in a cluster'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README: no sh block under "Install in a cluster"');
  const lines = block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter(Boolean);
  const words = (line: string | undefined) =>
    (line?.match(/'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^'(.*)'$/, '$1'));
  return {
    helm: words(lines.find((l) => l.startsWith('helm install '))),
    apply: words(lines.find((l) => l.startsWith('kubectl apply '))),
  };
}

/**
 * What a machine without a registry adds to the README's `helm install`: the images are in the
 * node already (pull policy Never), and carriers reach the edge on the node's address (NodePort).
 */
export const LOCAL_CLUSTER_VALUES: readonly string[] = [
  '--set', 'operator.image.pullPolicy=Never',
  '--set', 'edge.image.pullPolicy=Never',
  '--set', 'edge.service.type=NodePort',
]; // prettier-ignore

/** The README's `helm install` arguments (after `helm`), the chart path made absolute. */
export function readmeHelmArgs(): string[] {
  return readmeInstall()
    .helm.slice(1)
    .map((a) => (a === 'charts/voicefleet' ? join(root, a) : a));
}
