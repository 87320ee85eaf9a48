// The kustomize bases of the platform's services (the four and the console) come from the same template as generated
// services (kustomize-base.js) plus the per-service facts below, so a change to the shape lands in
// every base at once. `node tools/generators/service/platform-bases.js` rewrites k8s/services/*;
// `--check` fails when a committed base differs from what the template produces.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { kustomizeBase } = require('./kustomize-base');

const PLATFORM_SERVICES = [
  {
    name: 'dwh-ingest',
    httpPort: 3001,
    uses: ['postgres', 'nats'],
    callers: ['model-serving', 'console'],
    public: true,
    description: 'tracking API, imports, warehouse transformations and marts',
  },
  {
    name: 'feature-store',
    httpPort: 3002,
    uses: ['postgres', 'nats', 'redis'],
    callers: ['model-serving', 'trainer', 'console'],
    description: 'feature registry, online and historical features, materialization',
  },
  {
    name: 'trainer',
    httpPort: 3003,
    uses: ['postgres', 'nats'],
    callers: ['model-serving', 'console'],
    calls: [{ name: 'feature-store', port: 3002 }],
    config: { FEATURE_STORE_URL: 'http://feature-store:3002' },
    description: 'training runs, model registry, promotion gate and schedules',
    // API pods train nothing (TRAINER_CONCURRENCY=0); worker pods claim one run each.
    workers: { concurrencyEnv: 'TRAINER_CONCURRENCY' },
  },
  {
    name: 'model-serving',
    httpPort: 3004,
    uses: ['postgres', 'nats'],
    callers: ['console'],
    public: true,
    calls: [
      { name: 'feature-store', port: 3002 },
      { name: 'trainer', port: 3003 },
      { name: 'dwh-ingest', port: 3001 },
    ],
    config: {
      FEATURE_STORE_URL: 'http://feature-store:3002',
      PREDICTION_LOG_SPILL_DIR: '/var/lib/mlp/prediction-log',
    },
    // The prediction log's worker thread and its 16 MB ring: ~225 MB resident under load (~160 MB without).
    memoryRequest: '320Mi',
    volumes: [
      {
        name: 'prediction-log',
        mountPath: '/var/lib/mlp/prediction-log',
        sizeLimit: '2Gi',
        why: 'Prediction log records spilled while the warehouse is unreachable (PREDICTION_LOG_OVERFLOW=spill), and what is left in memory at shutdown: a claim per pod, so a pod that is replaced sends them on.',
        persistent: true,
      },
    ],
    description: 'real-time and batch predictions',
  },
  {
    name: 'console',
    httpPort: 3005,
    // No NATS: the console sends and receives no messages (its transport only answers its own
    // readiness probe); the database is the kit's readiness dependency and its outbox.
    uses: ['postgres'],
    public: true,
    calls: [
      { name: 'dwh-ingest', port: 3001 },
      { name: 'feature-store', port: 3002 },
      { name: 'trainer', port: 3003 },
      { name: 'model-serving', port: 3004 },
    ],
    config: {
      DWH_INGEST_URL: 'http://dwh-ingest:3001',
      FEATURE_STORE_URL: 'http://feature-store:3002',
      TRAINER_URL: 'http://trainer:3003',
      MODEL_SERVING_URL: 'http://model-serving:3004',
    },
    description: 'the web console; reads and steers the four services through their public HTTP APIs',
  },
];

/** Sets `envName` in the app container (the last env block of the Deployment: after the migrate init container's). */
function withAppEnv(deployment, envName, value, why) {
  const at = deployment.lastIndexOf('          env:\n');
  const entry = `          env:\n            # ${why}\n            - name: ${envName}\n              value: "${value}"\n`;
  return deployment.slice(0, at) + entry + deployment.slice(at + '          env:\n'.length);
}

/** Training workers: same image and config as the API, own Deployment/HPA/PDB, not behind the Service. */
function addWorkers(files, name, { concurrencyEnv }) {
  const api = files['deployment.yaml'];
  files['deployment.yaml'] = withAppEnv(api, concurrencyEnv, '0', 'The API role: API, schedules and lease reaping; trains nothing, so runs never compete with requests.');
  const worker = withAppEnv(api, concurrencyEnv, '1', 'The worker role: claims queued runs (FOR UPDATE SKIP LOCKED), one per pod; scale by pods.')
    .replace(`metadata:\n  name: ${name}\n`, `metadata:\n  name: ${name}-worker\n`)
    .replaceAll('app.kubernetes.io/component: api', 'app.kubernetes.io/component: worker')
    .replace('  replicas: 2\n', '  replicas: 1\n')
    .replace(
      /( {12}requests:\n {14}cpu: )250m(\n {14}memory: )256Mi(\n {12}limits:\n {14}cpu: )"1"(\n {14}memory: )512Mi/,
      '$1"1"$21Gi$3"2"$42Gi',
    )
    .replace('sizeLimit: 256Mi', 'sizeLimit: 1Gi');
  files['worker-deployment.yaml'] = `# Training workers: the same image and configuration as the ${name} API. Training runs are queued in
# PostgreSQL and claimed with FOR UPDATE SKIP LOCKED, so any number of workers share the queue; this
# Deployment adds CPU for training without taking API traffic (the Service selects component=api).
# Schedules (retraining cron) run in-process with a database lock, so no CronJob is needed.
${worker}`;
  files['worker-hpa.yaml'] = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}-worker
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/component: worker
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}-worker
  # Training is bursty and CPU-bound: one warm worker, more while runs are queued and CPU is busy.
  minReplicas: 1
  maxReplicas: 8
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 60
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 600
`;
  files['worker-pdb.yaml'] = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}-worker
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/component: worker
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
      app.kubernetes.io/component: worker
`;
  files['kustomization.yaml'] = files['kustomization.yaml'].replace(
    '  - networkpolicy.yaml\n',
    '  - networkpolicy.yaml\n  - worker-deployment.yaml\n  - worker-hpa.yaml\n  - worker-pdb.yaml\n',
  );
  return files;
}

function platformBases() {
  return PLATFORM_SERVICES.map((s) => {
    const files = kustomizeBase(s);
    if (s.memoryRequest) {
      const workload = files['deployment.yaml'] ? 'deployment.yaml' : 'statefulset.yaml';
      files[workload] = files[workload].replace(/( {12}requests:\n {14}cpu: 250m\n {14}memory: )256Mi/, `$1${s.memoryRequest}`);
    }
    return { name: s.name, files: s.workers ? addWorkers(files, s.name, s.workers) : files };
  });
}

if (require.main === module) {
  const root = path.resolve(__dirname, '../../..');
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { name, files } of platformBases()) {
    const dir = path.join(root, 'k8s/services', name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(dir, file);
      const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
      if (current === content) continue;
      stale++;
      if (check) console.error(`k8s/services/${name}/${file} differs from the template: run node tools/generators/service/platform-bases.js`);
      else fs.writeFileSync(target, content);
    }
  }
  if (check && stale) process.exit(1);
  console.log(check ? 'platform bases match the template' : `platform bases written (${stale} files changed)`);
}

module.exports = { PLATFORM_SERVICES, platformBases };
