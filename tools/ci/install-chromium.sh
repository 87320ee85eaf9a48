#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (tools/e2e/console.test.mjs drives it through
# playwright-core, which downloads no browser of its own). Idempotent: nothing happens when it is
# already installed. Needs root or sudo; the tests skip, saying why, only where it cannot be found.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null | tail -1)"
  exit 0
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
"${as_root[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y --no-install-recommends chromium fonts-dejavu-core
echo "chromium installed: $(/usr/bin/chromium --version 2>/dev/null | tail -1)"
