#!/usr/bin/env node
// Proves the module boundaries bite: writes files that break them into real projects, lints them,
// and fails unless ESLint reports each violation. The files are removed whatever happens.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cases = [
  {
    file: 'apps/trainer/src/boundary-violation.fixture.ts',
    source: "import { service } from '../../model-serving/src/service';\nexport const leaked = service;\n",
    expect: /Projects cannot be imported by a relative or absolute path|cannot import|A project tagged with "scope:trainer" can only depend on/,
    what: 'an app importing another app',
  },
  {
    file: 'libs/contracts/src/boundary-violation.fixture.ts',
    source: "import { startService } from '@mlp/service-kit';\nexport const leaked = startService;\n",
    // The kit depends on contracts, so lint may report the cycle before the tag rule; both refuse it.
    expect: /A project tagged with "type:contracts" can only depend on libs tagged with "type:contracts"|Circular dependency between "contracts" and "service-kit"/,
    what: 'the contracts library importing the service kit',
  },
  {
    file: 'libs/contracts/src/boundary-violation-nest.fixture.ts',
    source: "import { Injectable } from '@nestjs/common';\nexport const leaked = Injectable;\n",
    expect: /A project tagged with "type:contracts" is not allowed to import "@nestjs\/common"/,
    what: 'the contracts library importing a NestJS module',
  },
  {
    // Linted as `nx lint client` does, from the project's folder, so its own config applies.
    file: 'libs/client/src/boundary-violation.fixture.ts',
    cwd: 'libs/client',
    source: "import type { ErrorResponse } from '@mlp/contracts';\nimport { createHash } from 'node:crypto';\nexport type Leaked = ErrorResponse;\nexport const hash = createHash;\n",
    expect: /'@mlp\/contracts' import is restricted[\s\S]*'node:crypto' import is restricted/,
    what: 'the installable client importing a workspace lib or a Node module',
  },
];

let failed = 0;
try {
  for (const c of cases) fs.writeFileSync(path.join(root, c.file), c.source);
  for (const c of cases) {
    let output = '';
    let exitCode = 0;
    try {
      const cwd = path.join(root, c.cwd ?? '.');
      output = execFileSync('npx', ['eslint', '--no-warn-ignored', path.relative(cwd, path.join(root, c.file))], { cwd, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      exitCode = err.status ?? 1;
      output = `${err.stdout ?? ''}${err.stderr ?? ''}`;
    }
    const ok = exitCode !== 0 && c.expect.test(output);
    console.log(`${ok ? 'ok  ' : 'FAIL'} lint refuses ${c.what}`);
    if (!ok) {
      failed++;
      console.log(output.trim());
    }
  }
} finally {
  for (const c of cases) fs.rmSync(path.join(root, c.file), { force: true });
}
if (failed) {
  console.error(`${failed} boundary violation(s) were not caught by lint`);
  process.exit(1);
}
console.log('module boundaries: every violation fixture fails lint');
