// A leader-election candidate in its own process, for tests that kill a leader outright:
//   node --import tsx test/harness/lease-candidate.ts <kubeconfig> <namespace> <lease> <identity> <leaseMs> <renewMs> <retryMs>
// Prints `leading` when it becomes leader and `stopped` when it stops.
import { KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from '../../operator/src/kube/leader-election.js';

const [kubeconfig, namespace, name, identity, leaseMs, renewMs, retryMs] = process.argv.slice(2);
if (retryMs === undefined) {
  console.error(
    'usage: lease-candidate.ts <kubeconfig> <namespace> <lease> <identity> <leaseMs> <renewMs> <retryMs>',
  );
  process.exit(2);
}
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfig!);
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());
await new LeaderElector({
  kubeConfig,
  namespace: namespace!,
  name: name!,
  identity: identity!,
  leaseDurationMs: Number(leaseMs),
  renewDeadlineMs: Number(renewMs),
  retryPeriodMs: Number(retryMs),
  onStartedLeading: () => console.log('leading'),
  onStoppedLeading: () => console.log('stopped'),
}).run(stop.signal);
