#!/usr/bin/env node
// Lints Dockerfiles offline (no Docker engine, no hadolint in Debian): the parser and semantic
// checks of dockerfile-utils (the engine behind the VS Code Docker extension) plus the production
// rules this platform relies on, each with its own code so a finding says what to fix.
// Usage: node tools/deploy/dockerfile-lint.mjs [Dockerfile ...]   (default: docker/Dockerfile)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { validate as validateSyntax } from 'dockerfile-utils';

const SECRET_NAME = /(TOKEN|PASSWORD|PASSWD|SECRET|PRIVATE_KEY|API_KEY)/i;

/** @returns {Array<{line: number, code: string, message: string}>} */
export function lintDockerfile(content) {
  const problems = [];
  const report = (line, code, message) => problems.push({ line: line + 1, code, message });
  for (const d of validateSyntax(content)) {
    report(d.range.start.line, 'DF000', d.message);
  }
  const dockerfile = DockerfileParser.parse(content);
  const globalArgs = new Map();
  for (const arg of dockerfile.getInitialARGs()) {
    const [name, value] = arg.getArgumentsContent()?.split('=') ?? [];
    if (name) globalArgs.set(name.trim(), value?.trim());
  }
  const stages = dockerfile.getFROMs();
  const stageNames = new Set(stages.map((f) => f.getBuildStage()).filter(Boolean));
  for (const from of stages) {
    const raw = from.getImageName() ? from.getArgumentsContent().split(/\s+/)[0] : '';
    const image = raw.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, v) => globalArgs.get(v) ?? '');
    if (stageNames.has(image) || image === 'scratch') continue;
    const line = from.getRange().start.line;
    if (!image) report(line, 'DF001', `base image "${raw}" does not resolve (give the ARG a default)`);
    else if (!image.includes('@sha256:')) {
      const tag = /:([^/:]+)$/.exec(image)?.[1];
      if (!tag) report(line, 'DF001', `base image "${image}" has no tag: pin a version`);
      else if (tag === 'latest') report(line, 'DF001', `base image "${image}" uses the latest tag: pin a version`);
    }
  }
  for (const ins of dockerfile.getInstructions()) {
    const keyword = ins.getKeyword();
    const args = ins.getArgumentsContent() ?? '';
    const line = ins.getRange().start.line;
    if (keyword === 'ADD') report(line, 'DF005', 'use COPY instead of ADD (no remote URLs or implicit archive extraction)');
    if (keyword === 'WORKDIR' && !args.startsWith('/') && !args.startsWith('$')) report(line, 'DF009', `WORKDIR ${args} must be absolute`);
    if (keyword === 'ENV' || keyword === 'ARG') {
      for (const m of args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)) {
        if (SECRET_NAME.test(m[1])) report(line, 'DF010', `${keyword} ${m[1]} looks like a secret: it would be baked into the image; pass it at run time`);
      }
    }
    if (keyword === 'RUN') {
      const commands = args.split(/&&|\|\||;|\n/).map((c) => c.trim());
      if (commands.some((c) => /^cd\s/.test(c))) report(line, 'DF006', 'use WORKDIR instead of cd in RUN');
      if (/apt-get\s+(-\S+\s+)*install/.test(args)) {
        if (!/--no-install-recommends/.test(args)) report(line, 'DF007', 'apt-get install needs --no-install-recommends');
        if (!/apt-get\s+update/.test(args)) report(line, 'DF007', 'run apt-get update in the same RUN as apt-get install (stale package lists)');
        if (!/rm -rf \/var\/lib\/apt\/lists/.test(args)) report(line, 'DF007', 'remove /var/lib/apt/lists in the same RUN to keep the layer small');
      }
      for (const c of commands) {
        const m = /^npm\s+(install|i|add)(\s+.*)?$/.exec(c);
        if (!m) continue;
        const pkgs = (m[2] ?? '').trim().split(/\s+/).filter((a) => a && !a.startsWith('-'));
        if (!pkgs.length) report(line, 'DF008', 'install from the lockfile with npm ci, not npm install');
        for (const p of pkgs) {
          const spec = p.replace(/^["']|["']$/g, '');
          if (!/^(@[^/]+\/)?[^@]+@\S+$/.test(spec)) report(line, 'DF008', `npm install ${spec} must pin a version (name@version)`);
        }
      }
    }
  }
  // Rules for the stage that becomes the image.
  const last = stages.at(-1);
  if (last) {
    const start = last.getRange().start.line;
    const finalIns = dockerfile.getInstructions().filter((i) => i.getRange().start.line >= start);
    const users = finalIns.filter((i) => i.getKeyword() === 'USER');
    const user = users.at(-1)?.getArgumentsContent()?.split(':')[0];
    if (!user) report(start, 'DF002', 'the final stage must set USER to a non-root user');
    else if (user === 'root' || user === '0') report(users.at(-1).getRange().start.line, 'DF002', `the final stage runs as ${user}: use a non-root user`);
    const hc = finalIns.filter((i) => i.getKeyword() === 'HEALTHCHECK').at(-1);
    if (!hc || /^NONE\b/i.test(hc.getArgumentsContent() ?? '')) report(start, 'DF003', 'the final stage must declare a HEALTHCHECK');
    for (const i of finalIns.filter((x) => x.getKeyword() === 'CMD' || x.getKeyword() === 'ENTRYPOINT')) {
      if (!(i.getArgumentsContent() ?? '').trim().startsWith('[')) {
        report(i.getRange().start.line, 'DF004', `${i.getKeyword()} must use the JSON (exec) form so signals reach the process`);
      }
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const files = process.argv.length > 2 ? process.argv.slice(2) : [path.join(root, 'docker', 'Dockerfile')];
  let failed = 0;
  for (const file of files) {
    const problems = lintDockerfile(fs.readFileSync(file, 'utf8'));
    for (const p of problems) console.error(`${path.relative(process.cwd(), file)}:${p.line} ${p.code} ${p.message}`);
    failed += problems.length;
    if (!problems.length) console.log(`${path.relative(process.cwd(), file)}: ok`);
  }
  process.exit(failed ? 1 : 0);
}
