// Installs the generated CRDs (crds/*.yaml) on a harness API server exactly as `kubectl apply -f
// crds/` does: the YAML goes to the server as it is, through the untyped client. The typed
// client-node model would drop `default`, `x-kubernetes-validations` and the list-map keys while
// serializing, and every suite would test against a weaker API than users get.
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { waitFor } from '@voicefleet/devtools/processes';

const CRD_API = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
};
export const CRD_DIR = new URL('../../crds/', import.meta.url).pathname;

/** The CRDs of `dir` (of its `files` when given) as plain objects, as parsed from their YAML. */
export function readCrds(dir = CRD_DIR, files?: readonly string[]): KubernetesObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && (files === undefined || files.includes(f)))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8'))
        .map((d) => d.toJS() as KubernetesObject | null)
        .filter((o): o is KubernetesObject => o?.kind === 'CustomResourceDefinition'),
    );
}

/** Creates every CRD of `dir` (of its `files` when given) and waits until each is Established. */
export async function installCrds(
  kc: KubeConfig,
  dir = CRD_DIR,
  files?: readonly string[],
): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const crd of readCrds(dir, files)) {
    const name = crd.metadata?.name ?? '';
    await custom.createClusterCustomObject({ ...CRD_API, body: crd });
    await waitFor(
      async () => {
        const live = (await custom.getClusterCustomObject({ ...CRD_API, name })) as {
          status?: { conditions?: { type: string; status: string }[] };
        };
        return live.status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        );
      },
      { timeoutMs: 30_000, message: `CRD ${name} established` },
    );
  }
}

/** The CRD as the API server stores it. */
export async function readLiveCrd(kc: KubeConfig, name: string): Promise<unknown> {
  return kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({ ...CRD_API, name });
}
