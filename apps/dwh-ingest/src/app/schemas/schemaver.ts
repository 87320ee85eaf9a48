/** SchemaVer (MODEL-REVISION-ADDITION), the versioning Snowplow's Iglu uses for event schemas. */
export interface SchemaVer {
  model: number;
  revision: number;
  addition: number;
}

const PATTERN = /^([1-9][0-9]{0,5})-([0-9]{1,6})-([0-9]{1,6})$/;

export function parseSchemaVer(version: string): SchemaVer | undefined {
  const m = PATTERN.exec(version);
  return m ? { model: Number(m[1]), revision: Number(m[2]), addition: Number(m[3]) } : undefined;
}

export function formatSchemaVer(v: SchemaVer): string {
  return `${v.model}-${v.revision}-${v.addition}`;
}

export function compareSchemaVer(a: SchemaVer, b: SchemaVer): number {
  return a.model - b.model || a.revision - b.revision || a.addition - b.addition;
}

export type SchemaChange = 'initial' | 'model' | 'revision' | 'addition';

/**
 * Which kind of change `next` is relative to the latest registered version. Only the immediate
 * successors are allowed, so a registry never has gaps a consumer could not explain.
 */
export function classifyChange(latest: SchemaVer | undefined, next: SchemaVer): { change: SchemaChange } | { error: string } {
  if (!latest) {
    return next.model === 1 && next.revision === 0 && next.addition === 0
      ? { change: 'initial' }
      : { error: `the first version of a schema must be 1-0-0, not ${formatSchemaVer(next)}` };
  }
  const expected = {
    model: { model: latest.model + 1, revision: 0, addition: 0 },
    revision: { model: latest.model, revision: latest.revision + 1, addition: 0 },
    addition: { model: latest.model, revision: latest.revision, addition: latest.addition + 1 },
  } as const;
  for (const change of ['addition', 'revision', 'model'] as const) {
    if (compareSchemaVer(expected[change], next) === 0) return { change };
  }
  return {
    error: `after ${formatSchemaVer(latest)} the next version is ${formatSchemaVer(expected.addition)} (addition), ${formatSchemaVer(expected.revision)} (revision) or ${formatSchemaVer(expected.model)} (model), not ${formatSchemaVer(next)}`,
  };
}
