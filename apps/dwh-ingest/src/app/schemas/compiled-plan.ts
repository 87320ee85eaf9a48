import { compileJsonSchema, toViolations, type Violation } from '@mlp/contracts';
import type { ValidateFunction } from 'ajv';
import { compareSchemaVer, parseSchemaVer, type SchemaVer } from './schemaver';

export interface PlanEntry {
  name: string;
  version: string;
  ver: SchemaVer;
  validate: ValidateFunction;
}

/**
 * The tracking plan as validators, one per schema version: framework-free so the tracking
 * pipeline and the replay use the same lookup, and swapped atomically when a version is added.
 */
export class CompiledPlan {
  private readonly byName = new Map<string, PlanEntry[]>();

  constructor(docs: Array<{ name: string; version: string; schema: object }>) {
    for (const d of docs) {
      const ver = parseSchemaVer(d.version);
      if (!ver) throw new Error(`invalid SchemaVer ${d.version} of ${d.name}`);
      const list = this.byName.get(d.name) ?? [];
      list.push({ name: d.name, version: d.version, ver, validate: compileJsonSchema(stripId(d.schema)) });
      list.sort((a, b) => compareSchemaVer(a.ver, b.ver));
      this.byName.set(d.name, list);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The requested version, or the latest one when none is requested. */
  lookup(name: string, version?: string): PlanEntry | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    return version ? list.find((e) => e.version === version) : list[list.length - 1];
  }

  /** Validates a value; violations get paths below `root` (e.g. `$.properties`). */
  static check(entry: PlanEntry, value: unknown, root: string): Violation[] {
    if (entry.validate(value)) return [];
    return toViolations(entry.validate.errors).map((v) => ({ ...v, path: root + v.path.slice(1) }));
  }
}

// Ajv refuses a second schema with the same $id; versions are keyed by the registry instead.
function stripId(schema: object): object {
  const { $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}
