/** A number as JSON.stringify writes it: non-finite numbers become null. */
export const jsonNumber = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');
