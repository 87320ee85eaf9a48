#!/usr/bin/env bash
# Idempotent: makes sure the offline deploy checks have what they need on a fresh machine.
# - kubectl with built-in kustomize v5 (renders k8s/); the node-svc machine image ships it. Debian's
#   kubernetes-client (1.20, kustomize v2) is too old for the `labels`/`patches`/components used
#   here, so it is not an acceptable fallback: fail loudly instead of rendering differently.
# - npm devDependencies (kubernetes-models, dockerfile-utils, yaml) come with `npm ci`.
set -euo pipefail
if ! command -v kubectl >/dev/null 2>&1; then
  echo "kubectl not found: install kubectl >= 1.27 (kustomize v5) on the CI image" >&2
  exit 1
fi
version="$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')"
if [ -z "$version" ] || [ "$version" -lt 5 ]; then
  echo "kubectl's kustomize is $(kubectl version --client 2>/dev/null | grep -i kustomize || echo unknown); v5 or newer is required" >&2
  exit 1
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for pkg in kubernetes-models @kubernetes-models/prometheus-operator dockerfile-utils dockerfile-ast yaml; do
  if [ ! -f "$root/node_modules/$pkg/package.json" ]; then
    echo "node_modules/$pkg missing: run npm ci in $root" >&2
    exit 1
  fi
done
echo "deploy tools ready: $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
