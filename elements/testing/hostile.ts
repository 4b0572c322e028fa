// Browser-test helpers for the compromised image service (hostile-service.mjs), on an origin of its own.

let base: Promise<string> | undefined;

/** The hostile service's origin, `http://127.0.0.1:{port}`. */
export function hostileBase(): Promise<string> {
  base ??= fetch('/__hostile')
    .then((r) => r.json())
    .then((b: { base: string }) => b.base);
  return base;
}

/**
 * An API base on the hostile service that answers `scenario` (see hostile-service.mjs), unique to this call: a store
 * made for it shares no LocalStorage entry or database with another test's.
 */
export async function hostileApi(scenario: string): Promise<string> {
  return `${await hostileBase()}/${scenario}/${crypto.randomUUID()}/api`;
}

/** The requests that reached the hostile service since the last `resetHostile()`. */
export async function hostileRequests(): Promise<string[]> {
  return ((await (await fetch(`${await hostileBase()}/__seen`)).json()) as { seen: string[] }).seen;
}

export async function resetHostile(): Promise<void> {
  await fetch(`${await hostileBase()}/__seen`, { method: 'DELETE' });
}

/** The version every picture of the hostile service has (`VERSION` in hostile-service.mjs). */
export const HOSTILE_VERSION = '0123456789abcdef0123456789abcdef';
