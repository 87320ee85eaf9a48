// The kustomize base of one service: the same shape for the four platform services and for every
// service the generator scaffolds, so the deploy policies (tools/deploy/validate.mjs) hold for all.
'use strict';

const INFRA = {
  postgres: { port: 5432 },
  nats: { port: 4222 },
  redis: { port: 6379 },
};

/**
 * @param {object} o
 * @param {string} o.name service name (also image name, labels, Service DNS name)
 * @param {number} o.httpPort
 * @param {string[]} [o.uses] infrastructure the service connects to: postgres, nats, redis
 * @param {Array<{name: string, port: number}>} [o.calls] services this one calls over HTTP
 * @param {string[]} [o.callers] services allowed to call this one over HTTP
 * @param {boolean} [o.public] reachable from the ingress controller
 * @param {Record<string, string>} [o.config] extra ConfigMap entries
 * @param {Array<{name: string, mountPath: string, sizeLimit: string, why: string, persistent?: boolean}>} [o.volumes] extra
 *   writable volumes: emptyDirs, or with `persistent` a PersistentVolumeClaim per pod (the workload is then a
 *   StatefulSet, so a pod that is replaced comes back to its own claim)
 * @param {string} [o.description]
 * @returns {Record<string, string>} file name -> content
 */
function kustomizeBase(o) {
  const uses = o.uses ?? ['postgres', 'nats'];
  const calls = o.calls ?? [];
  const callers = o.callers ?? [];
  const labels = `app.kubernetes.io/name: ${o.name}\n    app.kubernetes.io/component: api`;
  const config = {
    PLATFORM_PROFILE: 'production',
    HTTP_HOST: '0.0.0.0',
    PORT: String(o.httpPort),
    LOG_LEVEL: 'info',
    MIGRATE_ON_START: 'false',
    DATABASE_POOL_SIZE: '10',
    SHUTDOWN_TIMEOUT_MS: '20000',
    // The tokens as a file from the Secret volume: read again when the Secret changes (no restart).
    AUTH_TOKENS_FILE: '/var/run/secrets/mlp/auth-tokens.json',
    // Its own NATS user: the broker lets it publish only what it owns (tools/deploy/nats-config.mjs).
    ...(uses.includes('nats') ? { NATS_URL: 'nats://nats:4222', NATS_USER: o.name } : {}),
    ...(uses.includes('redis') ? { REDIS_URL: 'redis://redis:6379' } : {}),
    ...(o.config ?? {}),
  };
  const useLabels = uses.map((u) => `        mlp.io/uses-${u}: "true"`).join('\n');
  const volumes = o.volumes ?? [];
  const claims = volumes.filter((v) => v.persistent);
  const stateful = claims.length > 0;
  const kind = stateful ? 'StatefulSet' : 'Deployment';
  const workloadFile = stateful ? 'statefulset.yaml' : 'deployment.yaml';
  const mounts = volumes.map((v) => `\n            - name: ${v.name}\n              mountPath: ${v.mountPath}`).join('');
  const volumeDefs = volumes
    .filter((v) => !v.persistent)
    .map((v) => `\n        # ${v.why}\n        - name: ${v.name}\n          emptyDir:\n            sizeLimit: ${v.sizeLimit}`)
    .join('');
  const claimTemplates = claims
    .map(
      (v) => `    # ${v.why}
    - metadata:
        name: ${v.name}
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: ${v.sizeLimit}`,
    )
    .join('\n');
  // A Deployment surges a new pod before an old one goes; a StatefulSet replaces its pods one at a
  // time (each keeps its claim), and minReadySeconds makes each new pod prove itself first.
  const rollout = stateful
    ? `  serviceName: ${o.name}-pods
  # Pods start and stop together (scaling is not sequential); each keeps its own claim.
  podManagementPolicy: Parallel
  minReadySeconds: 10
  updateStrategy:
    type: RollingUpdate
  # Claims outlive their pods: a pod scaled away or deleted leaves its data for the next one with its name.
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain`
    : `  strategy:
    type: RollingUpdate
    rollingUpdate:
      # Never below the current capacity during a rollout; one new pod at a time.
      maxSurge: 1
      maxUnavailable: 0`;
  const files = {};

  files['kustomization.yaml'] = `# ${o.name}: ${o.description ?? 'a platform service'}. Rendered alone or from an overlay.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
  - pairs:
      app.kubernetes.io/part-of: mlp
    includeSelectors: false
    includeTemplates: true
resources:
  - serviceaccount.yaml
  - ${workloadFile}
  - service.yaml${stateful ? '\n  - service-pods.yaml' : ''}
  - hpa.yaml
  - pdb.yaml
  - networkpolicy.yaml
configMapGenerator:
  - name: ${o.name}-config
    literals:
${Object.entries(config)
  .map(([k, v]) => `      - ${k}=${v}`)
  .join('\n')}
images:
  - name: mlp/${o.name}
    newTag: 0.1.0
`;

  files['serviceaccount.yaml'] = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${o.name}
  labels:
    app.kubernetes.io/name: ${o.name}
# The services never talk to the Kubernetes API.
automountServiceAccountToken: false
`;

  const fromSecret = (variable, secret = `${o.name}-secrets`, optional = false) => `
            - name: ${variable}
              valueFrom:
                secretKeyRef:
                  name: ${secret}
                  key: ${variable}${optional ? '\n                  optional: true' : ''}`;
  const envBlock = (secrets) => `          envFrom:
            - configMapRef:
                name: ${o.name}-config
          env:
            # Created outside the manifests (External Secrets / sealed secrets); dev generates them.${secrets.join('')}`;
  // Migrations need the database only; the app also its tokens, the platform's transport secret
  // (one Secret shared by every service) and its NATS password.
  const migrateEnv = envBlock([fromSecret('DATABASE_URL')]);
  const appEnv = envBlock([
    fromSecret('DATABASE_URL'),
    fromSecret('TRANSPORT_SECRET', 'mlp-transport'),
    ...(uses.includes('nats') ? [fromSecret('NATS_PASSWORD')] : []),
    // Webhook receivers with their secrets: add a WEBHOOKS key to the Secret to have events delivered.
    fromSecret('WEBHOOKS', `${o.name}-secrets`, true),
  ]);
  const containerSecurity = `          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: ["ALL"]`;

  files[workloadFile] = `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: ${o.name}
  labels:
    ${labels}
spec:
  replicas: 2
  revisionHistoryLimit: 5
${rollout}
  selector:
    matchLabels:
      ${labels.replace('\n    ', '\n      ')}
  template:
    metadata:
      labels:
        ${labels.replace('\n    ', '\n        ')}
${useLabels}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "${o.httpPort}"
        prometheus.io/path: /metrics
    spec:
      serviceAccountName: ${o.name}
      automountServiceAccountToken: false
      # Longer than SHUTDOWN_TIMEOUT_MS plus the preStop pause, so draining finishes before SIGKILL.
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 1000
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              ${labels.replace('\n    ', '\n              ')}
      initContainers:
        # Migrations run before the new version serves: pods of the old version keep serving until
        # this pod is ready (maxUnavailable 0), and an advisory lock serialises concurrent migrators.
        - name: migrate
          image: mlp/${o.name}
          args: ["migrate"]
${migrateEnv}
          resources:
            requests:
              cpu: 50m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
${containerSecurity}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      containers:
        - name: app
          image: mlp/${o.name}
          args: ["serve"]
          ports:
            - name: http
              containerPort: ${o.httpPort}
              protocol: TCP
${appEnv}
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 2
            failureThreshold: 30
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
            timeoutSeconds: 2
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          lifecycle:
            # Give the endpoints controller time to take the pod out of rotation before SIGTERM.
            preStop:
              sleep:
                seconds: 5
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: "1"
              memory: 512Mi
${containerSecurity}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            # Not a subPath mount: those never see a Secret's updates.
            - name: auth-tokens
              mountPath: /var/run/secrets/mlp
              readOnly: true${mounts}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
        # The AUTH_TOKENS key of the service's Secret as auth-tokens.json; the kubelet swaps it in
        # place when the Secret changes and the service reloads it (AUTH_TOKENS_FILE).
        - name: auth-tokens
          secret:
            secretName: ${o.name}-secrets
            defaultMode: 0440
            items:
              - key: AUTH_TOKENS
                path: auth-tokens.json${volumeDefs}
${stateful ? `  volumeClaimTemplates:\n${claimTemplates}\n` : ''}`;

  files['service.yaml'] = `apiVersion: v1
kind: Service
metadata:
  name: ${o.name}
  labels:
    app.kubernetes.io/name: ${o.name}
    # Selected by the ServiceMonitor of the monitoring component (Prometheus operator).
    mlp.io/scrape: "true"
spec:
  type: ClusterIP
  selector:
    ${labels}
  ports:
    - name: http
      port: ${o.httpPort}
      targetPort: http
      protocol: TCP
`;

  if (stateful) {
    files['service-pods.yaml'] = `# The StatefulSet's governing Service: a stable name per pod, no load balancing (the
# ${o.name} Service takes the traffic).
apiVersion: v1
kind: Service
metadata:
  name: ${o.name}-pods
  labels:
    app.kubernetes.io/name: ${o.name}
spec:
  clusterIP: None
  publishNotReadyAddresses: false
  selector:
    ${labels}
  ports:
    - name: http
      port: ${o.httpPort}
      targetPort: http
      protocol: TCP
`;
  }

  files['hpa.yaml'] = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${o.name}
  labels:
    app.kubernetes.io/name: ${o.name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: ${kind}
    name: ${o.name}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
`;

  files['pdb.yaml'] = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${o.name}
  labels:
    app.kubernetes.io/name: ${o.name}
spec:
  # maxUnavailable (not minAvailable) so a one-replica dev deployment can still be drained.
  maxUnavailable: 1
  selector:
    matchLabels:
      ${labels.replace('\n    ', '\n      ')}
`;

  const ingressFrom = [
    ...callers.map(
      (c) => `        - podSelector:
            matchLabels:
              app.kubernetes.io/name: ${c}`,
    ),
    `        # Prometheus scrapes /metrics.
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: monitoring`,
    ...(o.public
      ? [
          `        # Public API: the ingress controller and namespaces that opted in as clients.
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: ingress-nginx
        - namespaceSelector:
            matchLabels:
              mlp.io/client: "true"`,
        ]
      : []),
  ].join('\n');
  const egress = [
    ...calls.map(
      (c) => `    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: ${c.name}
      ports:
        - protocol: TCP
          port: ${c.port}`,
    ),
    ...uses.map(
      (u) => `    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: ${u}
      ports:
        - protocol: TCP
          port: ${INFRA[u].port}`,
    ),
    `    # Webhooks (WEBHOOKS) go to HTTPS endpoints outside the cluster, never to private ranges.
    - to:
        - ipBlock:
            cidr: 0.0.0.0/0
            except:
              - 10.0.0.0/8
              - 172.16.0.0/12
              - 192.168.0.0/16
      ports:
        - protocol: TCP
          port: 443`,
  ].join('\n');
  files['networkpolicy.yaml'] = `# Only the calls of the architecture: who may call ${o.name}, and what it may call.
# DNS egress comes from the default-deny component of the overlays.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${o.name}
  labels:
    app.kubernetes.io/name: ${o.name}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: ${o.name}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    - from:
${ingressFrom}
      ports:
        - protocol: TCP
          port: ${o.httpPort}
  egress:
${egress}
`;
  return files;
}

module.exports = { kustomizeBase, INFRA };
