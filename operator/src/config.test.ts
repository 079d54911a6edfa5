import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('reads flags, with env as fallback and defaults for the rest', () => {
    const c = parseConfig(['--regions', 'us-east-1,eu-west-1', '--multi-region-cluster'], {
      VOICEFLEET_NAMESPACE: 'voice',
    });
    assert.deepEqual(c.regions, ['us-east-1', 'eu-west-1']);
    assert.equal(c.namespace, 'voice');
    assert.equal(c.multiRegionCluster, true);
    assert.equal(c.kubeconfig, undefined);
    assert.equal(c.metricsPort, 8080);
    assert.equal(c.leaderElection, true);
  });

  it('passes the media pods an OTLP collector only when one is given', () => {
    assert.equal(parseConfig(['--regions', 'a'], {}).mediaOtlpEndpoint, undefined);
    assert.equal(
      parseConfig(['--regions', 'a'], {
        VOICEFLEET_MEDIA_OTLP_ENDPOINT: 'http://otel-collector.monitoring:4317',
      }).mediaOtlpEndpoint,
      'http://otel-collector.monitoring:4317',
    );
  });

  it('keeps the Lease and the edge set ids in the namespace the chart runs it in', () => {
    const c = parseConfig(['--regions', 'a'], { POD_NAMESPACE: 'voicefleet' });
    assert.equal(c.operatorNamespace, 'voicefleet');
    assert.equal(c.leaderElectionNamespace, 'voicefleet');
  });

  it('gives each edge URL the region it names, and the first region otherwise', () => {
    const c = parseConfig(
      [
        '--regions',
        'us-east-1,eu-west-1',
        '--edge-rpc-url',
        'http://127.0.0.1:1/RPC,eu-west-1=http://127.0.0.1:2/RPC',
      ],
      { VOICEFLEET_EDGE_RPC_TOKEN: 'x' },
    );
    assert.deepEqual(c.edge?.endpoints, [
      { region: 'us-east-1', rpcUrl: 'http://127.0.0.1:1/RPC' },
      { region: 'eu-west-1', rpcUrl: 'http://127.0.0.1:2/RPC' },
    ]);
  });

  const bad: [string, string[], RegExp][] = [
    ['asks for regions when none are given', [], /set --regions/],
    ['names a malformed region', ['--regions', 'US_East'], /"US_East" is not a region name/],
    [
      'names a bad port',
      ['--regions', 'a', '--metrics-port', 'x'],
      /--metrics-port must be an integer/,
    ],
    ['names an unknown flag', ['--regions', 'a', '--bogus'], /bogus/],
    // A media node cannot resolve a name (and a bare cluster has no DNS): refuse it here, not at
    // the first outbound call.
    [
      'refuses an edge URI with a host name',
      ['--regions', 'a', '--edge-uri', 'sip:voicefleet-edge.voicefleet.svc:5060'],
      /--edge-uri must be sip:<IP address>:<port>/,
    ],
    [
      'names a malformed edge Service',
      ['--regions', 'a', '--edge-service', 'voicefleet-edge-internal'],
      /--edge-service must be NAMESPACE\/NAME:PORT/,
    ],
    [
      'names a monitoring label that is not KEY=VALUE',
      ['--regions', 'a', '--manage-monitoring', '--monitoring-labels', 'release'],
      /--monitoring-labels: "release" is not a label KEY=VALUE/,
    ],
    [
      'names a runbook base that is not a URL',
      ['--regions', 'a', '--manage-monitoring', '--runbook-base-url', 'wiki/runbooks'],
      /--runbook-base-url must be an http\(s\) URL/,
    ],
    [
      'names an OTLP collector that is not a URL',
      ['--regions', 'a', '--media-otlp-endpoint', 'otel-collector:4317'],
      /--media-otlp-endpoint must be an http\(s\) URL/,
    ],
    [
      'asks for the edge pods a media network policy admits',
      ['--regions', 'a', '--media-network-policy', '--operator-selector', 'app=op'],
      /--media-network-policy needs --edge-selector/,
    ],
  ];
  for (const [name, argv, message] of bad) {
    it(name, () =>
      assert.throws(
        () => parseConfig(argv, {}),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      ),
    );
  }

  it('writes media NetworkPolicies admitting the edge and operator pods the chart names', () => {
    const chartEnv = {
      VOICEFLEET_REGIONS: 'a',
      POD_NAMESPACE: 'voicefleet',
      VOICEFLEET_EDGE_SELECTOR: 'app.kubernetes.io/instance=vf,app.kubernetes.io/component=edge',
      VOICEFLEET_EDGE_NAMESPACE: 'voicefleet',
      VOICEFLEET_EDGE_RPC_TOKEN: 'x',
      VOICEFLEET_MEDIA_NETWORK_POLICY: 'true',
      VOICEFLEET_OPERATOR_SELECTOR:
        'app.kubernetes.io/instance=vf,app.kubernetes.io/component=operator',
    };
    const c = parseConfig([], {
      ...chartEnv,
      VOICEFLEET_MEDIA_METRICS_FROM:
        '[{"namespaceSelector":{"matchLabels":{"name":"monitoring"}}}]',
    });
    assert.deepEqual(c.mediaNetworkPolicy, {
      edge: {
        namespace: 'voicefleet',
        labels: { 'app.kubernetes.io/instance': 'vf', 'app.kubernetes.io/component': 'edge' },
      },
      operator: {
        namespace: 'voicefleet',
        labels: { 'app.kubernetes.io/instance': 'vf', 'app.kubernetes.io/component': 'operator' },
      },
      sipFrom: [],
      metricsFrom: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }],
      rtpFrom: [],
    });
    assert.equal(parseConfig(['--regions', 'a'], {}).mediaNetworkPolicy, undefined);
    for (const [flag, value] of [
      ['--media-metrics-from', '{"podSelector":{}}'],
      ['--media-rtp-from', '[{"cidr":"10.0.0.0/8"}]'],
      ['--media-sip-from', '[{}]'],
    ] as const)
      assert.throws(
        () => parseConfig(['--media-network-policy', flag, value], chartEnv),
        new RegExp(`${flag} must be a JSON array of NetworkPolicy peers`),
      );
  });

  it('takes the edge as an IP URI, or as the internal Service to read the cluster IP of', () => {
    assert.equal(parseConfig(['--regions', 'a'], {}).edgeUri, 'sip:127.0.0.1:5070');
    assert.equal(
      parseConfig(['--regions', 'a', '--edge-uri', 'sip:[fd00::1]:5070'], {}).edgeUri,
      'sip:[fd00::1]:5070',
    );
    assert.deepEqual(
      parseConfig(['--regions', 'a'], { VOICEFLEET_EDGE_SERVICE: 'vf/vf-edge-internal:5070' })
        .edgeService,
      { namespace: 'vf', name: 'vf-edge-internal', port: 5070 },
    );
  });

  it('configures the edge from flags and env, with the token from env only', () => {
    const c = parseConfig(
      [
        '--regions',
        'a',
        '--edge-rpc-url',
        'http://127.0.0.1:5090/RPC',
        '--peer-edges',
        'sip:10.0.0.1:5060',
      ],
      {
        VOICEFLEET_EDGE_RPC_TOKEN: 't0ken',
      },
    );
    assert.deepEqual(c.edge, {
      endpoints: [{ region: 'a', rpcUrl: 'http://127.0.0.1:5090/RPC' }],
      discover: undefined,
      token: 't0ken',
      peerEdges: ['sip:10.0.0.1:5060'],
      setIdsConfigMap: 'voicefleet-edge-sets',
    });
    const chart = parseConfig([], {
      VOICEFLEET_REGIONS: 'a',
      VOICEFLEET_EDGE_SELECTOR: 'app=edge',
      VOICEFLEET_EDGE_NAMESPACE: 'voicefleet',
      VOICEFLEET_EDGE_RPC_TOKEN: 'x',
    });
    assert.deepEqual(chart.edge?.discover, {
      namespace: 'voicefleet',
      labelSelector: 'app=edge',
      port: 5090,
    });
    assert.equal(parseConfig(['--regions', 'a'], {}).edge, undefined);
    assert.throws(
      () =>
        parseConfig(['--regions', 'a', '--edge-rpc-url', 'b=http://127.0.0.1:1/RPC'], {
          VOICEFLEET_EDGE_RPC_TOKEN: 'x',
        }),
      /region "b" of http:\/\/127.0.0.1:1\/RPC is not one of --regions/,
    );
    assert.throws(
      () => parseConfig(['--regions', 'a', '--edge-rpc-url', 'http://127.0.0.1:1/RPC'], {}),
      /VOICEFLEET_EDGE_RPC_TOKEN/,
    );
  });

  it('manages monitoring only when asked, with the selector labels and runbook base given', () => {
    assert.equal(parseConfig(['--regions', 'a'], {}).monitoring, undefined);
    assert.deepEqual(
      parseConfig(['--regions', 'a'], {
        VOICEFLEET_MANAGE_MONITORING: 'true',
        VOICEFLEET_MONITORING_LABELS: 'release=kube-prometheus-stack, team=voice',
        VOICEFLEET_RUNBOOK_BASE_URL: 'https://wiki.example/voice',
      }).monitoring,
      {
        labels: { release: 'kube-prometheus-stack', team: 'voice' },
        runbookBaseUrl: 'https://wiki.example/voice',
      },
    );
    assert.deepEqual(parseConfig(['--regions', 'a', '--manage-monitoring'], {}).monitoring, {
      labels: {},
      runbookBaseUrl: 'https://voicefleet.io/docs/runbooks',
    });
  });
});
