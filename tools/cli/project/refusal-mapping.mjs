// A service's refusal, told in the project's terms: each violation path of the request
// (`$.models[3].sql`) becomes the file, line and field it came from
// (`models/mart_orders.sql:1 sql: ...`).
import { locate } from './origins.mjs';
import { formatPath, parsePath } from './paths.mjs';

/**
 * @param request one entry of buildApplyRequests()
 * @param details the `details` of the error body ({ path, code, message, position? }[])
 * @returns {{ file?: string, line?: number, path: string, message: string, code?: string }[]}
 */
export function mapRefusal(request, details = []) {
  return (Array.isArray(details) ? details : []).map((d) => {
    const message = `${d.message ?? 'refused'}${d.code ? ` (${d.code})` : ''}`;
    // assertProjectAccess names the project in a detail without a path: it is mlp.yaml's name.
    const segs = !d.path && d.code === 'PROJECT_FORBIDDEN' ? ['project'] : parsePath(d.path ?? '');
    const [list, index, ...rest] = segs;
    const origin = typeof index === 'number' ? request.origins[list]?.[index] : undefined;
    if (origin) {
      const where = locate(origin, rest);
      // A parser error's character position in a model's SQL (1-based, as PostgreSQL reports it) names its line.
      const position = Number(d.position ?? d.cursorPosition);
      const sql = request.body[list]?.[index]?.sql;
      if (rest.length === 1 && rest[0] === 'sql' && origin.fields?.sql && typeof sql === 'string' && Number.isInteger(position) && position >= 1) {
        where.line += (sql.slice(0, position - 1).match(/\n/g) ?? []).length;
      }
      return { ...where, message, code: d.code };
    }
    if (segs.length && typeof list === 'string' && !(list in request.origins) && request.top) {
      // A top-level field: project (mlp.yaml name), description, owner.
      const where = locate(request.top, segs);
      if (['project', 'description', 'owner'].includes(list)) return { ...where, message, code: d.code };
    }
    return { path: d.path ? formatPath(segs) || d.path : '', message, code: d.code };
  });
}
