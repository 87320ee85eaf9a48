// The plans of the three services as a readable diff: + created, ~ changed (fields and
// consequences), - removed (only with --prune), = how many unchanged.

export const SERVICE_TITLES = Object.freeze({ warehouse: 'warehouse', features: 'features', specs: 'model specs' });

const kindOf = (service, item) => (service === 'specs' ? 'model_spec' : item.kind ?? '');

function itemLines(sign, service, item, kindWidth, nameWidth) {
  const details = [];
  if (item.fields?.length) details.push(`fields: ${item.fields.join(', ')}`);
  if (item.new_version) details.push(`new version${item.version !== undefined ? ` v${item.version}` : ''}`);
  const head = `  ${sign} ${kindOf(service, item).padEnd(kindWidth)}  ${details.length ? item.name.padEnd(nameWidth) : item.name}${details.length ? `  ${details.join('; ')}` : ''}`;
  return [head, ...(item.changes ?? []).map((c) => `      ${c}`)];
}

/** Counts of one plan (removed counts only with prune). */
export function planCounts(plan, { prune = false } = {}) {
  return {
    created: plan.created?.length ?? 0,
    changed: plan.changed?.length ?? 0,
    removed: prune ? (plan.removed?.length ?? 0) : 0,
    unchanged: plan.unchanged?.length ?? 0,
  };
}

/**
 * @param {{ service: string, app: string, url: string, plan?: object, problems?: string[], error?: string }[]} results
 * @returns {string}
 */
export function renderPlans(results, { prune = false, applied = false } = {}) {
  const out = [];
  const total = { created: 0, changed: 0, removed: 0 };
  for (const r of results) {
    out.push(`${SERVICE_TITLES[r.service] ?? r.service} (${r.app} at ${r.url})`);
    if (r.error) {
      out.push(`  ! ${r.error}`);
      for (const p of r.problems ?? []) out.push(`      ${p}`);
      out.push('');
      continue;
    }
    if (!r.plan) {
      out.push('  (not applied)');
      out.push('');
      continue;
    }
    const plan = r.plan;
    const shown = [
      ['+', plan.created ?? []],
      ['~', plan.changed ?? []],
      ...(prune ? [['-', plan.removed ?? []]] : []),
    ];
    const items = shown.flatMap(([, list]) => list);
    const kindWidth = Math.max(0, ...items.map((i) => kindOf(r.service, i).length));
    const nameWidth = Math.max(0, ...items.map((i) => i.name.length));
    for (const [sign, list] of shown) for (const item of list) out.push(...itemLines(sign, r.service, item, kindWidth, nameWidth));
    const c = planCounts(plan, { prune });
    if (!items.length) out.push(`  no changes${c.unchanged ? ` (${c.unchanged} unchanged)` : ''}`);
    else if (c.unchanged) out.push(`  = ${c.unchanged} unchanged`);
    if (!prune && plan.removed?.length) {
      out.push(`  (${plan.removed.length} of the project's objects are not in the folder: kept; --prune removes them: ${plan.removed.map((i) => i.name).join(', ')})`);
    }
    for (const s of plan.sources ?? []) {
      if (s.status !== 'READY') out.push(`  ! feature view ${s.view} v${s.version}: ${s.status}${s.message ? ` (${s.message})` : ''}`);
    }
    total.created += c.created;
    total.changed += c.changed;
    total.removed += c.removed;
    out.push('');
  }
  const missing = results.filter((r) => !r.plan).map((r) => SERVICE_TITLES[r.service] ?? r.service);
  if (applied) out.push(`Applied: ${total.created} created, ${total.changed} changed, ${total.removed} removed.`);
  else if (missing.length) out.push(`Plan incomplete: no plan for ${missing.join(', ')}.`);
  else out.push(`Plan: ${total.created} to create, ${total.changed} to change, ${total.removed} to remove.`);
  return out.join('\n');
}
