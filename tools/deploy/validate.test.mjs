// Each deploy policy is proven by a violating fixture: the compliant dev rendering passes, and one
// mutation per rule makes exactly that rule fail.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkPolicies } from './lib/policies.mjs';
import { renderKustomization } from './lib/render.mjs';
import { checkSchemas } from './lib/schema-check.mjs';
import { validate } from './validate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENV_SCHEMA = {
  type: 'object',
  properties: {
    PLATFORM_PROFILE: { default: 'embedded', anyOf: [{ const: 'embedded', type: 'string' }, { const: 'production', type: 'string' }] },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    AUTH_TOKENS: { type: 'string' },
    AUTH_TOKENS_FILE: { type: 'string' },
    NATS_URL: { type: 'string', pattern: '^(nats|tls)://' },
    NATS_USER: { type: 'string' },
    NATS_PASSWORD: { type: 'string', minLength: 16 },
    TRANSPORT_SECRET: { type: 'string', minLength: 32 },
  },
  required: ['PLATFORM_PROFILE', 'DATABASE_URL', 'PORT'],
  'x-required-in-production': ['AUTH_TOKENS|AUTH_TOKENS_FILE', 'PLATFORM_PROFILE', 'TRANSPORT_SECRET'],
  'x-required-in-production-with': { NATS_URL: ['NATS_USER', 'NATS_PASSWORD'] },
};
const envSchemas = new Map(['dwh-ingest', 'feature-store', 'trainer', 'model-serving', 'console'].map((a) => [a, ENV_SCHEMA]));
const dev = renderKustomization(path.join(root, 'k8s/overlays/dev'));
const prod = renderKustomization(path.join(root, 'k8s/overlays/prod'));

function mutate(objects, fn) {
  const copy = structuredClone(objects);
  fn(copy);
  return copy;
}
const deployment = (objects, name = 'trainer') => objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name);
const app = (objects, name) => deployment(objects, name).spec.template.spec.containers[0];
const codes = (objects, production = false) =>
  [...new Set(checkPolicies(objects, { envSchemas, production, selfContained: !production }).problems.map((p) => p.code))].sort();

test('the dev and prod overlays satisfy every policy', () => {
  assert.deepEqual(checkPolicies(dev, { envSchemas, production: false, selfContained: true }).problems, []);
  assert.deepEqual(checkPolicies(prod, { envSchemas, production: true }).problems, []);
});

test('prod lists the Secrets that must exist outside the manifests, mounted ones too', () => {
  const { externalSecrets } = checkPolicies(prod, { envSchemas, production: true });
  assert.ok(externalSecrets.has('trainer-secrets:AUTH_TOKENS'));
  assert.ok(externalSecrets.has('model-serving-secrets:DATABASE_URL'));
  assert.ok(externalSecrets.has('mlp-transport:TRANSPORT_SECRET'));
  assert.ok(externalSecrets.has('feature-store-secrets:NATS_PASSWORD'));
});

test('a file variable that points outside the container\'s volumes, or a mounted Secret without its key, is rejected', () => {
  const elsewhere = (o) => (o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('trainer-config')).data.AUTH_TOKENS_FILE = '/etc/tokens.json');
  assert.deepEqual(codes(mutate(dev, elsewhere)), ['K8S-ENV-FILE']);
  const noKey = (o) => delete o.find((x) => x.kind === 'Secret' && x.metadata.name.startsWith('trainer-secrets')).data.AUTH_TOKENS;
  assert.deepEqual(codes(mutate(dev, noKey)), ['K8S-ENV-REF']);
});

test('a container without a readiness probe is rejected (K8S-PROBES)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => delete app(o, 'trainer').readinessProbe)), ['K8S-PROBES']);
});

test('infrastructure without probes is rejected too (K8S-PROBES)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => delete o.find((x) => x.kind === 'StatefulSet').spec.template.spec.containers[0].livenessProbe)), ['K8S-PROBES']);
});

test('an app whose liveness probe checks dependencies (/readyz) is rejected (K8S-PROBES)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => (app(o, 'feature-store').livenessProbe.httpGet.path = '/readyz'))), ['K8S-PROBES']);
});

test('a pod that may run as root is rejected (K8S-NONROOT)', () => {
  assert.deepEqual(
    codes(mutate(dev, (o) => {
      delete deployment(o).spec.template.spec.securityContext.runAsNonRoot;
      for (const c of [...deployment(o).spec.template.spec.containers, ...deployment(o).spec.template.spec.initContainers]) delete c.securityContext.runAsNonRoot;
    })),
    ['K8S-NONROOT'],
  );
  assert.deepEqual(codes(mutate(dev, (o) => (app(o, 'trainer').securityContext.runAsUser = 0))), ['K8S-NONROOT']);
});

test('a writable root filesystem or privilege escalation is rejected (K8S-SECURITY)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => (app(o, 'trainer').securityContext.readOnlyRootFilesystem = false))), ['K8S-SECURITY']);
  assert.deepEqual(codes(mutate(dev, (o) => delete app(o, 'dwh-ingest').securityContext.allowPrivilegeEscalation)), ['K8S-SECURITY']);
});

test('a container without a memory limit is rejected (K8S-RESOURCES)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => delete app(o, 'model-serving').resources.limits.memory)), ['K8S-RESOURCES']);
  assert.deepEqual(codes(mutate(dev, (o) => delete deployment(o).spec.template.spec.initContainers[0].resources)), ['K8S-RESOURCES']);
});

test('latest and untagged images are rejected (K8S-IMAGE-TAG)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => (app(o, 'trainer').image = 'registry.localhost:5000/mlp/trainer:latest'))), ['K8S-IMAGE-TAG']);
  assert.deepEqual(codes(mutate(dev, (o) => (app(o, 'trainer').image = 'registry.localhost:5000/mlp/trainer'))), ['K8S-IMAGE-TAG']);
  assert.deepEqual(codes(mutate(dev, (o) => (app(o, 'trainer').image = 'registry.localhost:5000/mlp/trainer@sha256:0123'))), []);
});

test('an app Deployment without the migrate init container is rejected (K8S-MIGRATIONS)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => delete deployment(o, 'dwh-ingest').spec.template.spec.initContainers)), ['K8S-MIGRATIONS']);
});

test('a variable the env schema requires but the manifests do not provide is rejected (K8S-ENV-REQUIRED)', () => {
  const noDb = (o) => {
    for (const c of [app(o, 'trainer'), deployment(o).spec.template.spec.initContainers[0]]) c.env = c.env.filter((e) => e.name !== 'DATABASE_URL');
  };
  assert.deepEqual(codes(mutate(dev, noDb)), ['K8S-ENV-REQUIRED']);
});

test('prod requires the tokens (AUTH_TOKENS or AUTH_TOKENS_FILE) and the production profile (K8S-ENV-REQUIRED)', () => {
  const noTokens = (o) => delete o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('trainer-config')).data.AUTH_TOKENS_FILE;
  assert.deepEqual(codes(mutate(prod, noTokens), true), ['K8S-ENV-REQUIRED']);
  const embedded = (o) => (o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('trainer-config')).data.PLATFORM_PROFILE = 'embedded');
  assert.deepEqual(codes(mutate(prod, embedded), true), ['K8S-ENV-REQUIRED']);
  // Outside production an embedded-profile app may run without tokens.
  assert.deepEqual(codes(mutate(mutate(dev, embedded), noTokens)), []);
});

test('prod requires the transport secret and, with NATS, the service\'s own NATS user; the migration needs neither (K8S-ENV-REQUIRED)', () => {
  const without = (name) => (o) => (app(o, 'trainer').env = app(o, 'trainer').env.filter((e) => e.name !== name));
  assert.deepEqual(codes(mutate(prod, without('TRANSPORT_SECRET')), true), ['K8S-ENV-REQUIRED']);
  assert.deepEqual(codes(mutate(prod, without('NATS_PASSWORD')), true), ['K8S-ENV-REQUIRED']);
  const noUser = (o) => delete o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('trainer-config')).data.NATS_USER;
  assert.deepEqual(codes(mutate(prod, noUser), true), ['K8S-ENV-REQUIRED']);
  // The migrate init container gets the database URL only, and that is enough.
  const migrate = deployment(prod).spec.template.spec.initContainers[0];
  assert.deepEqual(migrate.env.map((e) => e.name), ['DATABASE_URL']);
});

test('a value the app would reject at start is caught (K8S-ENV-VALUE)', () => {
  const badPort = (o) => (o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('feature-store-config')).data.PORT = 'http');
  assert.deepEqual(codes(mutate(dev, badPort)), ['K8S-ENV-VALUE']);
  const badUrl = (o) => (o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('feature-store-config')).data.NATS_URL = 'http://nats:4222');
  assert.deepEqual(codes(mutate(dev, badUrl)), ['K8S-ENV-VALUE']);
});

test('references to missing ConfigMaps, or Secrets missing from a self-contained overlay, are rejected (K8S-ENV-REF)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => (app(o, 'trainer').envFrom[0].configMapRef.name = 'trainer-confg'))), ['K8S-ENV-REF']);
  assert.deepEqual(codes(mutate(dev, (o) => o.splice(o.findIndex((x) => x.kind === 'Secret' && x.metadata.name.startsWith('trainer-secrets')), 1))), ['K8S-ENV-REF']);
});

test('objects that break the Kubernetes schema are rejected (K8S-SCHEMA)', async () => {
  assert.deepEqual(await checkSchemas(dev), []);
  const wrongType = mutate([deployment(dev)], (o) => (o[0].spec.replicas = 'two'));
  assert.match((await checkSchemas(wrongType))[0].message, /replicas must be integer/);
  const missing = mutate([deployment(dev)], (o) => delete o[0].spec.selector);
  assert.match((await checkSchemas(missing))[0].message, /selector/);
  const unknownField = mutate([deployment(dev)], (o) => (o[0].spec.template.spec.containers[0].readinesProbe = { httpGet: { path: '/readyz', port: 'http' } }));
  const [problem] = await checkSchemas(unknownField);
  assert.equal(problem.object, 'Deployment/trainer');
  assert.match(problem.message, /^spec\.template\.spec\.containers\[0\]\.readinesProbe: .*readinesProbe/);
  const unknownKind = [{ apiVersion: 'apps/v1', kind: 'Deploymnt', metadata: { name: 'x' } }];
  assert.match((await checkSchemas(unknownKind))[0].message, /no schema/);
});

test('a kustomization that does not render fails validation (K8S-RENDER)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-k8s-'));
  fs.mkdirSync(path.join(dir, 'overlays/broken'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'overlays/broken/kustomization.yaml'), 'resources:\n  - ../../services/missing\n');
  const [result] = await validate({ k8sDir: dir, envSchemas, overlays: [] });
  assert.equal(result.problems[0].code, 'K8S-RENDER');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the NetworkPolicies allow exactly the calls of the architecture, nothing else', async () => {
  const { allowedConnections } = await import('./lib/network-reachability.mjs');
  const apps = ['dwh-ingest', 'feature-store', 'trainer', 'model-serving'];
  const expected = new Set([
    'model-serving -> feature-store:3002',
    'model-serving -> trainer:3003',
    'model-serving -> dwh-ingest:3001',
    'trainer -> feature-store:3002',
    ...apps.flatMap((a) => [`${a} -> postgres:5432`, `${a} -> nats:4222`]),
    'feature-store -> redis:6379',
    // The console reads and steers the four services over their HTTP APIs; no messages, so no NATS.
    ...apps.map((a, i) => `console -> ${a}:${3001 + i}`),
    'console -> postgres:5432',
  ]);
  assert.deepEqual([...allowedConnections(dev)].sort(), [...expected].sort());
});

test('the reachability check notices a policy that lets a service call another it should not', async () => {
  const { allowedConnections } = await import('./lib/network-reachability.mjs');
  const opened = mutate(dev, (o) => {
    const np = o.find((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'feature-store');
    np.spec.egress.push({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'trainer' } } }] });
    o.find((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'trainer').spec.ingress[0].from.push({ podSelector: {} });
  });
  assert.ok(allowedConnections(opened).has('feature-store -> trainer:3003'));
});

test('model-serving keeps its prediction log on a claim of its own that outlives the pod (K8S-PERSISTENCE)', () => {
  const serving = deployment(dev, 'model-serving');
  assert.equal(serving.kind, 'StatefulSet');
  const mount = app(dev, 'model-serving').volumeMounts.find((m) => m.name === 'prediction-log');
  assert.equal(mount.mountPath, '/var/lib/mlp/prediction-log');
  assert.deepEqual(serving.spec.volumeClaimTemplates.map((c) => [c.metadata.name, c.spec.accessModes[0]]), [['prediction-log', 'ReadWriteOnce']]);
  assert.equal(serving.spec.template.spec.volumes.some((v) => v.name === 'prediction-log'), false, 'not an emptyDir');
  assert.deepEqual(codes(mutate(dev, (o) => (deployment(o, 'model-serving').spec.persistentVolumeClaimRetentionPolicy.whenScaled = 'Delete'))), ['K8S-PERSISTENCE']);
  assert.deepEqual(codes(mutate(dev, (o) => (deployment(o, 'model-serving').spec.updateStrategy = { type: 'OnDelete' }))), ['K8S-AVAILABILITY']);
  assert.deepEqual(codes(mutate(dev, (o) => delete deployment(o, 'model-serving').spec.minReadySeconds)), ['K8S-AVAILABILITY']);
});

test('rollouts that drop capacity, missing HPAs and overlapping PDBs are rejected (K8S-AVAILABILITY)', () => {
  assert.deepEqual(codes(mutate(dev, (o) => (deployment(o).spec.strategy.rollingUpdate.maxUnavailable = 1))), ['K8S-AVAILABILITY']);
  assert.deepEqual(codes(mutate(dev, (o) => o.splice(o.findIndex((x) => x.kind === 'HorizontalPodAutoscaler' && x.metadata.name === 'trainer'), 1))), ['K8S-AVAILABILITY']);
  const overlapping = (o) => (o.find((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name === 'trainer').spec.selector.matchLabels = { 'app.kubernetes.io/name': 'trainer' });
  assert.deepEqual(codes(mutate(dev, overlapping)), ['K8S-AVAILABILITY']);
  const single = (o) => (o.find((x) => x.kind === 'HorizontalPodAutoscaler' && x.metadata.name === 'model-serving').spec.minReplicas = 1);
  assert.deepEqual(codes(mutate(prod, single), true), ['K8S-AVAILABILITY']);
});
