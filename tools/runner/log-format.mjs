// Turns a service's JSON log line into one readable, prefixed line for the terminal.
const LEVEL_COLOR = { fatal: 31, error: 31, warn: 33, info: 0, debug: 90, trace: 90 };
const HIDDEN = new Set(['level', 'time', 'service', 'msg', 'context', 'pid', 'hostname']);

export function formatLine(service, color, raw, useColor = process.stdout.isTTY) {
  const paint = (code, text) => (useColor && code ? `\x1b[${code}m${text}\x1b[0m` : text);
  const prefix = paint(color, `[${service}]`.padEnd(16));
  let entry;
  try {
    entry = JSON.parse(raw);
  } catch {
    return `${prefix} ${raw}`;
  }
  if (typeof entry !== 'object' || entry === null) return `${prefix} ${raw}`;
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const level = String(entry.level ?? 'info');
  const extras = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const context = entry.context ? paint(90, `${entry.context}: `) : '';
  return `${prefix} ${paint(90, time)} ${paint(LEVEL_COLOR[level] ?? 0, level.toUpperCase().padEnd(5))} ${context}${entry.msg ?? ''}${extras ? ` ${paint(90, extras)}` : ''}`;
}
