// `mlp init [dir] --name <name>`: a skeleton project with one commented example of each file kind.
import fs from 'node:fs';
import path from 'node:path';
import { usageError } from '../exit-codes.mjs';
import { SCHEMAS_DIR } from '../project/file-validation.mjs';
import { skeletonFiles } from './init-skeleton.mjs';

const PROJECT_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Where a file's schema is: `<base>/<kind>.schema.json` for a URL base, else a path relative to the file. */
export function schemaRefFor(dir, base) {
  return (kind, file) => {
    const name = `${kind}.schema.json`;
    if (base && /^[a-z][a-z0-9+.-]*:\/\//i.test(base)) return `${base.replace(/\/+$/, '')}/${name}`;
    const schemas = base ? path.resolve(base) : SCHEMAS_DIR;
    return path.relative(path.dirname(path.join(dir, file)), path.join(schemas, name)).split(path.sep).join('/');
  };
}

export function initCommand(ctx, dirArg, options) {
  const dir = ctx.projectDir(dirArg);
  const name = options.name ?? path.basename(dir);
  if (!PROJECT_NAME.test(name)) throw usageError(`${JSON.stringify(name)} is not a project name (lower-case letters, digits and dashes, starting with a letter): pass --name`);
  const files = skeletonFiles(name, schemaRefFor(dir, options.schemaBase ?? ctx.io.env.MLP_SCHEMA_BASE));
  // An existing .gitignore (a project inside a repository) gets the line it lacks; anything else is never overwritten.
  const gitignore = path.join(dir, '.gitignore');
  const existing = Object.keys(files).filter((f) => f !== '.gitignore' && fs.existsSync(path.join(dir, f)));
  if (existing.length) throw usageError(`${path.relative(ctx.io.cwd, dir) || '.'} already has ${existing.join(', ')}: nothing written`);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (file === gitignore && fs.existsSync(file)) {
      const current = fs.readFileSync(file, 'utf8');
      if (!/^\/?\.mlp\/?$/m.test(current)) fs.appendFileSync(file, `${current.endsWith('\n') || !current ? '' : '\n'}${text}`);
    } else fs.writeFileSync(file, text);
  }
  ctx.out.result({ project: name, dir, files: Object.keys(files) });
  ctx.out.line(`created project ${name} in ${path.relative(ctx.io.cwd, dir) || '.'}:`);
  for (const f of Object.keys(files)) ctx.out.line(`  ${f}`);
  ctx.out.line('next: mlp validate, then mlp plan and mlp apply');
  return 0;
}
