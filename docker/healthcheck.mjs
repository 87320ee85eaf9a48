// Container healthcheck: the liveness endpoint on the port the app listens on (PORT, or the
// default from the env schema written at build time). Exits 0 when healthy, 1 otherwise.
import fs from 'node:fs';

const schema = JSON.parse(fs.readFileSync('/app/env-schema.json', 'utf8'));
const port = process.env.PORT || schema.properties?.PORT?.default;
const controller = new AbortController();
setTimeout(() => controller.abort(), 2500).unref();
fetch(`http://127.0.0.1:${port}/healthz`, { signal: controller.signal }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
