// The platform's deploy policies over rendered manifests. Each finding has a code (what rule) and
// names the object and container, so CI output says exactly what to fix.
import Ajv from 'ajv';
import { describe } from './render.mjs';
import { containerEnv, containersOf, podSpec, workloads } from './workload-env.mjs';

const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: false });

/**
 * @param {object[]} objects rendered manifests of one overlay
 * @param {object} options
 * @param {Map<string, object>} options.envSchemas app name -> JSON Schema printed by `main.js env-schema`
 * @param {boolean} options.production also require `x-required-in-production` and the production profile
 * @param {boolean} [options.selfContained] every referenced Secret must be in the manifests (dev)
 * @returns {{ problems: Array<{code, object, message}>, warnings: Array<{code, object, message}>, externalSecrets: Set<string> }}
 */
export function checkPolicies(objects, { envSchemas, production, selfContained = false }) {
  const problems = [];
  const warnings = [];
  const externalSecrets = new Set();
  for (const w of workloads(objects)) {
    const what = describe(w);
    const add = (code, where, message) => problems.push({ code, object: what, message: where ? `${where}: ${message}` : message });
    const spec = podSpec(w);
    const podSec = spec.securityContext ?? {};
    const app = envSchemas.has(w.metadata?.labels?.['app.kubernetes.io/name']) ? w.metadata.labels['app.kubernetes.io/name'] : null;
    for (const { container: c, init } of containersOf(w)) {
      const where = `${init ? 'initContainer' : 'container'} ${c.name}`;
      // Probes: liveness and readiness on every long-running container; the platform's own apps
      // must use the cheap /healthz for liveness and the dependency-checking /readyz for readiness.
      if (!init) {
        if (!c.livenessProbe) add('K8S-PROBES', where, 'has no livenessProbe');
        if (!c.readinessProbe) add('K8S-PROBES', where, 'has no readinessProbe');
        if (app && c.livenessProbe && c.livenessProbe.httpGet?.path !== '/healthz') add('K8S-PROBES', where, 'livenessProbe must be GET /healthz');
        if (app && c.readinessProbe && c.readinessProbe.httpGet?.path !== '/readyz') add('K8S-PROBES', where, 'readinessProbe must be GET /readyz');
      }
      // Non-root and a restrictive security context.
      const sec = c.securityContext ?? {};
      const runAsNonRoot = sec.runAsNonRoot ?? podSec.runAsNonRoot;
      const runAsUser = sec.runAsUser ?? podSec.runAsUser;
      if (runAsNonRoot !== true) add('K8S-NONROOT', where, 'runAsNonRoot must be true (container or pod securityContext)');
      if (runAsUser === 0) add('K8S-NONROOT', where, 'runAsUser is 0 (root)');
      if (sec.privileged === true) add('K8S-SECURITY', where, 'must not be privileged');
      if (sec.allowPrivilegeEscalation !== false) add('K8S-SECURITY', where, 'allowPrivilegeEscalation must be false');
      if (!(sec.capabilities?.drop ?? []).includes('ALL')) add('K8S-SECURITY', where, 'capabilities.drop must include ALL');
      if (sec.readOnlyRootFilesystem !== true) add('K8S-SECURITY', where, 'readOnlyRootFilesystem must be true');
      // Resources: requests for scheduling, memory limit against noisy neighbours.
      const r = c.resources ?? {};
      for (const k of ['cpu', 'memory']) if (r.requests?.[k] === undefined) add('K8S-RESOURCES', where, `resources.requests.${k} is not set`);
      for (const k of ['cpu', 'memory']) if (r.limits?.[k] === undefined) add('K8S-RESOURCES', where, `resources.limits.${k} is not set`);
      // Images: a pinned tag or a digest, never latest.
      const image = String(c.image ?? '');
      const tag = image.includes('@') ? null : /:([^/:]+)$/.exec(image)?.[1];
      if (!image) add('K8S-IMAGE-TAG', where, 'has no image');
      else if (!image.includes('@sha256:') && !tag) add('K8S-IMAGE-TAG', where, `image ${image} has no tag (implies latest)`);
      else if (tag === 'latest') add('K8S-IMAGE-TAG', where, `image ${image} uses the latest tag`);
      // The migration (an init container running `migrate`) needs the database only.
      const migrates = init && [...(c.command ?? []), ...(c.args ?? [])].includes('migrate');
      if (app) checkAppEnv(objects, c, where, envSchemas.get(app), { production, selfContained, add, warnings, what, externalSecrets, migrates });
    }
    // Secrets mounted as volumes: present in a self-contained overlay, else listed for the operator.
    for (const v of spec.volumes ?? []) {
      if (!v.secret) continue;
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata?.name === v.secret.secretName);
      const keys = (v.secret.items ?? []).map((i) => i.key);
      if (!secret) {
        if (selfContained && !v.secret.optional) add('K8S-ENV-REF', `volume ${v.name}`, `Secret ${v.secret.secretName} is not in the manifests`);
        else for (const k of keys.length ? keys : ['*']) externalSecrets.add(`${v.secret.secretName}:${k}`);
        continue;
      }
      const present = new Set(Object.keys({ ...(secret.data ?? {}), ...(secret.stringData ?? {}) }));
      for (const k of keys) if (!present.has(k)) add('K8S-ENV-REF', `volume ${v.name}`, `Secret ${v.secret.secretName} has no key ${k}`);
    }
    if (app) {
      // Migrations before traffic: an init container runs `migrate`; the app must not migrate itself.
      const migrate = (spec.initContainers ?? []).find((c) => [...(c.command ?? []), ...(c.args ?? [])].includes('migrate'));
      if (!migrate) add('K8S-MIGRATIONS', '', 'no init container runs `migrate` before the app starts');
      if (w.kind === 'Deployment' || w.kind === 'StatefulSet') checkAvailability(objects, w, production, add);
    }
  }
  return { problems, warnings, externalSecrets };
}

function checkAppEnv(objects, container, where, schema, ctx) {
  const { vars, problems } = containerEnv(objects, container);
  for (const p of problems) ctx.add(p.code, where, p.message);
  // TypeBox lists defaulted variables as required; the app fills those in, so only variables
  // without a default must come from the manifests.
  const required = new Set((schema.required ?? []).filter((v) => schema.properties?.[v]?.default === undefined));
  const profile = vars.get('PLATFORM_PROFILE')?.value;
  if ((ctx.production || profile === 'production') && !ctx.migrates) {
    for (const v of schema['x-required-in-production'] ?? []) required.add(v);
    // Required once another variable is set (NATS_URL -> the service's own NATS user and password).
    for (const [trigger, needs] of Object.entries(schema['x-required-in-production-with'] ?? {})) if (vars.has(trigger)) for (const v of needs) required.add(v);
  }
  if (ctx.production && profile !== 'production') {
    ctx.add('K8S-ENV-REQUIRED', where, `PLATFORM_PROFILE must be "production" (got ${JSON.stringify(profile ?? null)})`);
  }
  for (const name of [...required].sort()) {
    // `A|B`: either variable satisfies the requirement (AUTH_TOKENS or AUTH_TOKENS_FILE).
    if (!name.split('|').some((n) => vars.has(n))) ctx.add('K8S-ENV-REQUIRED', where, `${name.replace('|', ' or ')} is required by the app's env schema but not provided`);
  }
  for (const [name, v] of vars) {
    // A file the app reads must be on a volume the container mounts (a Secret, a ConfigMap).
    if (name.endsWith('_FILE') && v.value && !ctx.migrates) {
      const mounted = (container.volumeMounts ?? []).some((m) => v.value.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
      if (!mounted) ctx.add('K8S-ENV-FILE', where, `${name}=${v.value} is not on a volume this container mounts`);
    }
    const prop = schema.properties?.[name];
    if (!prop) {
      ctx.warnings.push({ code: 'K8S-ENV-UNKNOWN', object: ctx.what, message: `${where}: ${name} (${v.source}) is not read by the app` });
      continue;
    }
    if (v.external) {
      if (ctx.selfContained) ctx.add('K8S-ENV-REF', where, `${name}: ${v.source} is not in the manifests`);
      else ctx.externalSecrets.add(`${v.source.replace('Secret/', '')}:${secretKey(container, name)}${v.optional ? ' (optional)' : ''}`);
      continue;
    }
    if (v.value === undefined) continue;
    // The value as the app will see it: coerced from the string exactly like its config loader.
    const holder = { [name]: v.value };
    const validate = ajv.compile({ type: 'object', properties: { [name]: prop } });
    if (v.value !== '' && !validate(holder)) {
      ctx.add('K8S-ENV-VALUE', where, `${name}=${JSON.stringify(v.value)} (${v.source}) is invalid: ${validate.errors?.map((e) => e.message).join(', ')}`);
    }
  }
}

function secretKey(container, name) {
  return container.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.key ?? name;
}

/**
 * Rollouts and disruptions never take a service below its capacity: no unavailable pods during a
 * rolling update, an HPA, exactly one PodDisruptionBudget (two make evictions fail), and in
 * production at least two API replicas.
 */
function checkAvailability(objects, w, production, add) {
  const labels = w.spec.template.metadata?.labels ?? {};
  const selects = (sel) => Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  if (w.kind === 'Deployment') {
    const strategy = w.spec.strategy ?? {};
    if (strategy.type === 'Recreate' || String(strategy.rollingUpdate?.maxUnavailable ?? '25%') !== '0') {
      add('K8S-AVAILABILITY', '', 'rollingUpdate.maxUnavailable must be 0 (capacity never drops during a rollout)');
    }
  } else {
    // A StatefulSet cannot surge: it replaces one pod at a time, each proving itself for minReadySeconds.
    if (w.spec.updateStrategy?.type === 'OnDelete') add('K8S-AVAILABILITY', '', 'updateStrategy must be RollingUpdate (OnDelete never rolls out)');
    if (String(w.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1) !== '1') add('K8S-AVAILABILITY', '', 'rollingUpdate.maxUnavailable must be 1 (one pod at a time)');
    if (!(w.spec.minReadySeconds > 0)) add('K8S-AVAILABILITY', '', 'minReadySeconds must be set (a replaced pod serves for a while before the next one goes)');
    // What a pod keeps on its claim must outlive the pod, also when the HPA scales it away.
    const retention = w.spec.persistentVolumeClaimRetentionPolicy ?? {};
    if ((w.spec.volumeClaimTemplates ?? []).length && (retention.whenScaled ?? 'Retain') !== 'Retain') {
      add('K8S-PERSISTENCE', '', 'persistentVolumeClaimRetentionPolicy.whenScaled must be Retain (a scaled-away pod\'s data waits for its successor)');
    }
    if ((w.spec.volumeClaimTemplates ?? []).length && (retention.whenDeleted ?? 'Retain') !== 'Retain') {
      add('K8S-PERSISTENCE', '', 'persistentVolumeClaimRetentionPolicy.whenDeleted must be Retain');
    }
  }
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.kind === w.kind && o.spec.scaleTargetRef.name === w.metadata.name);
  if (!hpa) add('K8S-AVAILABILITY', '', `no HorizontalPodAutoscaler targets this ${w.kind}`);
  else if (production && labels['app.kubernetes.io/component'] === 'api' && (hpa.spec.minReplicas ?? 1) < 2) {
    add('K8S-AVAILABILITY', '', `HPA ${hpa.metadata.name} minReplicas must be at least 2 in production`);
  }
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget' && selects(o.spec?.selector));
  if (pdbs.length !== 1) add('K8S-AVAILABILITY', '', `pods must be covered by exactly one PodDisruptionBudget (found ${pdbs.length})`);
}
