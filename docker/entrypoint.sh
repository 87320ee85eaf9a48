#!/bin/sh
# `serve` (default), `migrate` (what the migration init container runs) or `env-schema`.
set -eu
exec node "/app/apps/${MLP_APP}/src/main.js" "$@"
