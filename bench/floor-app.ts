// The floor `npm run bench:backend` measures the service's lookups against: the smallest Hono app on the same hono
// and @hono/node-server, answering each path in FLOOR_ANSWERS with the bytes and headers the service sent for it, in
// the quickest way those two allow (headers as a plain object, which node-server writes without a `Headers`; Hono's
// `c.body()` makes one of several). Started by the bench as a process of its own, on HOST and PORT.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** One answer the floor repeats: the service's own, captured from a real response. */
export interface FloorAnswer {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const answers: FloorAnswer[] = JSON.parse(process.env.FLOOR_ANSWERS ?? '[]');
const app = new Hono();
for (const { path, headers, body } of answers) app.get(path, () => new Response(body, { headers }));
serve({ fetch: app.fetch, hostname: process.env.HOST, port: Number(process.env.PORT) });
