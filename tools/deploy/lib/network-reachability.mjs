// Which pod-to-pod connections the rendered NetworkPolicies allow inside one namespace, so a test
// can compare them with the architecture. Kubernetes semantics for the subset used here: a pod
// selected by any policy of a type is isolated for that type; a connection needs an egress rule of
// the source AND an ingress rule of the destination that match the peer pod and the port.
// namespaceSelector and ipBlock peers never match a pod of the same namespace.

const matches = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector?.matchExpressions ?? []).every((e) => (e.operator === 'In' ? e.values.includes(labels[e.key]) : e.operator === 'Exists' ? e.key in labels : true));

const portAllowed = (ports, port) => !ports?.length || ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || Number(p.port) === port));

function allowedBy(policies, type, self, peer, port) {
  const relevant = policies.filter((p) => (p.spec.policyTypes ?? ['Ingress']).includes(type) && matches(p.spec.podSelector, self));
  if (!relevant.length) return true; // not isolated for this direction
  const key = type === 'Ingress' ? 'from' : 'to';
  return relevant.some((p) =>
    (p.spec[type === 'Ingress' ? 'ingress' : 'egress'] ?? []).some(
      (rule) =>
        portAllowed(rule.ports, port) &&
        (!rule[key] || rule[key].some((peerSel) => peerSel.podSelector && !peerSel.namespaceSelector && !peerSel.ipBlock && matches(peerSel.podSelector, peer))),
    ),
  );
}

/**
 * @param {object[]} objects rendered manifests
 * @returns {Set<string>} "source -> destination:port" for every allowed pair of workloads
 */
export function allowedConnections(objects) {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const pods = objects
    .filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind))
    .map((w) => ({
      name: w.metadata.labels?.['app.kubernetes.io/name'] ?? w.metadata.name,
      labels: w.spec.template.metadata?.labels ?? {},
      ports: (w.spec.template.spec.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)),
    }));
  const allowed = new Set();
  for (const src of pods) {
    for (const dst of pods) {
      if (src.name === dst.name) continue;
      for (const port of dst.ports) {
        if (allowedBy(policies, 'Egress', src.labels, dst.labels, port) && allowedBy(policies, 'Ingress', dst.labels, src.labels, port)) {
          allowed.add(`${src.name} -> ${dst.name}:${port}`);
        }
      }
    }
  }
  return allowed;
}
