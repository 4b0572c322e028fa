import { figuresOf, type CacheMetrics } from './figures.ts';
import { MONITOR_SCHEMA, readState, type MonitorState } from './state.ts';

/** What `cacheMonitor.export()` answers, as JSON. */
export interface MonitorExport {
  schema: typeof MONITOR_SCHEMA;
  /** ISO 8601. */
  exportedAt: string;
  metrics: CacheMetrics;
  /** The raw figures, which `cacheMonitor.restore()` reads back. */
  state: MonitorState;
}

/** The export of `state`, made at `now` (milliseconds since the epoch). */
export function exportText(state: MonitorState, now: number): string {
  const report: MonitorExport = { schema: MONITOR_SCHEMA, exportedAt: new Date(now).toISOString(), metrics: figuresOf(state), state };
  return JSON.stringify(report, null, 2);
}

/** The figures in an export's JSON text, or an error that says what is wrong with it. */
export function readExport(text: string): MonitorState {
  const fail = (why: string) => new Error(`Not a cache monitor export: ${why}.`);
  let value: Partial<MonitorExport> | null;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('it is not JSON');
  }
  if (value?.schema !== MONITOR_SCHEMA) throw fail(`its schema is ${JSON.stringify(value?.schema)}, not ${MONITOR_SCHEMA}`);
  try {
    return readState(value.state);
  } catch (error) {
    throw fail((error as Error).message);
  }
}
