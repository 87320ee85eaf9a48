// What environment a container of a rendered workload gets: literal values, ConfigMap entries
// (envFrom and configMapKeyRef) and Secret references, resolved against the rendered objects the
// way the kubelet resolves them (env entries override envFrom, later envFrom entries win).

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export function workloads(objects) {
  return objects.filter((o) => WORKLOAD_KINDS.has(o.kind) && o.spec?.template?.spec);
}

export const podSpec = (w) => w.spec.template.spec;

/** Containers with their role, init containers first (the order the kubelet runs them). */
export function containersOf(w) {
  const spec = podSpec(w);
  return [
    ...(spec.initContainers ?? []).map((c) => ({ container: c, init: true })),
    ...(spec.containers ?? []).map((c) => ({ container: c, init: false })),
  ];
}

function byName(objects, kind, name) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

function secretValue(secret, key) {
  if (secret.stringData?.[key] !== undefined) return secret.stringData[key];
  if (secret.data?.[key] !== undefined) return Buffer.from(secret.data[key], 'base64').toString('utf8');
  return undefined;
}

/**
 * @returns {{ vars: Map<string, {source: string, value?: string, external?: boolean}>, problems: Array<{code,message}> }}
 * `value` is undefined for values only known at run time (a Secret not in the manifests, fieldRef).
 */
export function containerEnv(objects, container) {
  const vars = new Map();
  const problems = [];
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = byName(objects, 'ConfigMap', from.configMapRef.name);
      if (!cm) {
        if (!from.configMapRef.optional) problems.push({ code: 'K8S-ENV-REF', message: `envFrom ConfigMap ${from.configMapRef.name} is not in the manifests` });
        continue;
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, { source: `ConfigMap/${cm.metadata.name}`, value: String(v) });
    }
    if (from.secretRef) {
      const secret = byName(objects, 'Secret', from.secretRef.name);
      // Keys of an external Secret are unknowable here, so the manifests must name each variable
      // with secretKeyRef for the required-variable check to see it.
      if (!secret) {
        problems.push({ code: 'K8S-ENV-REF', message: `envFrom Secret ${from.secretRef.name} is not in the manifests: reference its keys one by one with secretKeyRef` });
        continue;
      }
      for (const k of Object.keys({ ...(secret.data ?? {}), ...(secret.stringData ?? {}) })) {
        vars.set(prefix + k, { source: `Secret/${secret.metadata.name}`, value: secretValue(secret, k) });
      }
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) vars.set(e.name, { source: 'env', value: String(e.value) });
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const cm = byName(objects, 'ConfigMap', ref.name);
      const value = cm?.data?.[ref.key];
      if (value === undefined && !ref.optional) problems.push({ code: 'K8S-ENV-REF', message: `${e.name}: ConfigMap ${ref.name} key ${ref.key} is not in the manifests` });
      else if (value !== undefined) vars.set(e.name, { source: `ConfigMap/${ref.name}`, value: String(value) });
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const secret = byName(objects, 'Secret', ref.name);
      if (!secret) vars.set(e.name, { source: `Secret/${ref.name}`, external: true, optional: ref.optional === true });
      else {
        const value = secretValue(secret, ref.key);
        if (value === undefined && !ref.optional) problems.push({ code: 'K8S-ENV-REF', message: `${e.name}: Secret ${ref.name} has no key ${ref.key}` });
        else if (value !== undefined) vars.set(e.name, { source: `Secret/${ref.name}`, value });
      }
    } else if (e.valueFrom) vars.set(e.name, { source: 'runtime' });
    else vars.set(e.name, { source: 'env', value: '' });
  }
  return { vars, problems };
}
