/**
 * The platform's scope rule (as `hasScope` in @mlp/runtime, which the services use): `admin` grants
 * everything, `area:*` every scope of its area. Written again here because the browser bundle cannot
 * load the runtime library (it needs Node's crypto); a unit test holds the two to the same answers.
 */
export function grants(granted: readonly string[], required: string): boolean {
  const area = required.split(':')[0];
  return granted.some((s) => s === 'admin' || s === required || s === `${area}:*`);
}
