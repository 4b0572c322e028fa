import { DEMO_USER } from '../../demo/people.ts';
import type { Config } from '../config.ts';

/**
 * The user `GET /api/demo/token` signs in as (`AppDeps.demoUser`): the demo's, while the operator has set no
 * `AUTH_SECRET` of their own; with one set, none, and the route does not exist.
 */
export function demoUserFor(config: Pick<Config, 'authSecret'>): string | undefined {
  return config.authSecret ? undefined : DEMO_USER.id;
}
