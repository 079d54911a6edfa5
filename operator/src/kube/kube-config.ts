// Where the API server is and how to authenticate: a kubeconfig file, or the in-cluster service
// account. A missing or unreadable one is a ConfigError that says what to fix.
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, type OperatorConfig } from '../config.js';

export function loadKubeConfig(config: OperatorConfig): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (config.kubeconfig !== undefined) kc.loadFromFile(config.kubeconfig);
    else kc.loadFromCluster();
  } catch (cause) {
    throw new ConfigError(
      config.kubeconfig !== undefined
        ? `cannot read kubeconfig ${config.kubeconfig}; fix the path given by --kubeconfig or KUBECONFIG`
        : 'no in-cluster service account found; pass --kubeconfig outside a cluster',
      { cause },
    );
  }
  return kc;
}
