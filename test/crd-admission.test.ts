// The generated CRDs on a real kube-apiserver: every example applies, admission defaults match
// the TypeScript defaults, and each bad object is rejected with the field path and message the
// TypeScript validator reports for it.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  GROUP,
  SIP_TRUNK_PLURAL,
  VERSION,
  VOICE_AGENT_PLURAL,
  applySipTrunkDefaults,
  applyVoiceAgentDefaults,
  validateSipTrunk,
  validateVoiceAgent,
  type SipTrunk,
  type VoiceAgent,
} from '../api/src/index.js';
import {
  ACCEPTED_WEBHOOK_URLS,
  REJECTION_CASES,
  agentWithWebhook,
  validAgent,
  validTrunk,
} from '../api/src/testing/rejection-cases.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { installCrds } from './harness/crds.js';

const root = new URL('../', import.meta.url);
const NS = 'default';

interface Cause {
  field?: string;
  message?: string;
}

function yamlDocs(path: URL): KubernetesObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null);
}

function causesOf(error: unknown): Cause[] {
  if (!(error instanceof ApiException)) throw error;
  const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  return (body as { details?: { causes?: Cause[] } }).details?.causes ?? [];
}

describe('CRD admission on a real API server', { skip: controlPlaneSkipReason() }, () => {
  let plane: ControlPlane;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  before(async () => {
    plane = await startControlPlane({ controllerManager: false });
    core = plane.kubeConfig.makeApiClient(CoreV1Api);
    custom = plane.kubeConfig.makeApiClient(CustomObjectsApi);
    await installCrds(plane.kubeConfig);
  });
  after(async () => {
    await plane?.stop();
  });

  test('every example in crds/examples applies, with the defaults the validator fills', async () => {
    const files = readdirSync(new URL('crds/examples/', root)).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 3);
    for (const f of files) {
      for (const obj of yamlDocs(new URL(`crds/examples/${f}`, root))) {
        if (obj.kind === 'Secret') {
          await core.createNamespacedSecret({ namespace: NS, body: obj });
          continue;
        }
        const plural = obj.kind === 'VoiceAgent' ? VOICE_AGENT_PLURAL : SIP_TRUNK_PLURAL;
        const created: unknown = await custom.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: NS,
          plural,
          body: obj,
        });
        if (obj.kind === 'VoiceAgent') {
          assert.deepEqual(validateVoiceAgent(obj), [], f);
          assert.deepEqual(
            (created as { spec: unknown }).spec,
            applyVoiceAgentDefaults(obj as unknown as VoiceAgent).spec,
            f,
          );
        }
        if (obj.kind === 'SipTrunk') {
          assert.deepEqual(validateSipTrunk(obj), [], f);
          assert.deepEqual(
            (created as { spec: unknown }).spec,
            applySipTrunkDefaults(obj as unknown as SipTrunk).spec,
            f,
          );
        }
      }
    }
  });

  test('accepts webhooks over https, and over plain http to loopback or a cluster-local Service', async () => {
    for (const [i, url] of ACCEPTED_WEBHOOK_URLS.entries()) {
      const body = agentWithWebhook(`webhook-ok-${i}`, url);
      const created = (await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: VOICE_AGENT_PLURAL,
        body,
      })) as { spec: unknown };
      assert.deepEqual(
        created.spec,
        applyVoiceAgentDefaults(body as unknown as VoiceAgent).spec,
        url,
      );
    }
  });

  for (const c of REJECTION_CASES) {
    test(`rejects ${c.name}: ${c.path}`, async () => {
      const plural = c.kind === 'VoiceAgent' ? VOICE_AGENT_PLURAL : SIP_TRUNK_PLURAL;
      const error = await custom
        .createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: NS,
          plural,
          body: c.object,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error !== undefined, 'admission accepted the object');
      const causes = causesOf(error);
      const hit = causes.find((x) => x.field === c.path && x.message?.includes(c.message));
      assert.ok(hit, `expected ${c.path}: ...${c.message}... in ${JSON.stringify(causes)}`);
      const local =
        c.kind === 'VoiceAgent' ? validateVoiceAgent(c.object) : validateSipTrunk(c.object);
      assert.deepEqual(
        local.map((e) => e.path),
        causes.map((x) => (x.field === '<nil>' ? '' : x.field)),
        'the TypeScript validator reports the same fields',
      );
      assert.deepEqual(
        local.map((e) => e.message),
        causes.map((x) => x.message),
        'the TypeScript validator reports the same messages',
      );
    });
  }

  test('strict field validation (what kubectl apply does) names an unknown field like the validator', async () => {
    const obj = validAgent('typo-agent');
    (obj.spec as Record<string, unknown>).numbrs = ['+14155550100'];
    const error = await custom
      .createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: VOICE_AGENT_PLURAL,
        body: obj,
        fieldValidation: 'Strict',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof ApiException, 'admission accepted an unknown field');
    const status = JSON.parse(String(error.body)) as { message: string };
    const local = validateVoiceAgent(obj);
    assert.deepEqual(local, [{ path: 'spec.numbrs', message: 'unknown field "spec.numbrs"' }]);
    assert.ok(status.message.includes(local[0]!.message), status.message);
  });

  test('the published OpenAPI (what kubectl explain reads) carries the field descriptions', async () => {
    const path = `/openapi/v3/apis/${GROUP}/${VERSION}`;
    const opts: RequestOptions = { method: 'GET', path };
    await plane.kubeConfig.applyToHTTPSOptions(opts);
    const url = new URL(plane.server);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ ...opts, hostname: url.hostname, port: url.port, path }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode}: ${text}`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
    type Props = Record<
      string,
      { description?: string; properties?: Props; items?: { properties?: Props } }
    >;
    const schemas = (
      JSON.parse(body) as { components: { schemas: Record<string, { properties: Props }> } }
    ).components.schemas;
    const agent = schemas[`io.voicefleet.${VERSION}.VoiceAgent`]!.properties;
    const trunk = schemas[`io.voicefleet.${VERSION}.SipTrunk`]!.properties;
    assert.equal(
      agent.spec!.properties!.capacity!.properties!.callsPerPod!.description,
      'Concurrent calls one media pod takes.',
    );
    assert.match(
      trunk.spec!.properties!.failover!.properties!.responseCodes!.description!,
      /Never 486/,
    );
  });

  test('a status write keeps the conditions list map keyed by type', async () => {
    const name = 'status-trunk';
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: SIP_TRUNK_PLURAL,
      body: validTrunk(name),
    });
    const patch = (manager: string, type: string) =>
      custom.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace: NS,
          plural: SIP_TRUNK_PLURAL,
          name,
          fieldManager: manager,
          force: true,
          body: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: 'SipTrunk',
            metadata: { name },
            status: {
              conditions: [
                {
                  type,
                  status: 'True',
                  reason: 'Ok',
                  message: '',
                  lastTransitionTime: '2026-01-01T00:00:00Z',
                },
              ],
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    await patch('voicefleet', 'Ready');
    const after = (await patch('voicefleet-edge', 'RoutingPublished')) as {
      status: { conditions: { type: string }[] };
    };
    assert.deepEqual(after.status.conditions.map((x) => x.type).sort(), [
      'Ready',
      'RoutingPublished',
    ]);
  });
});
