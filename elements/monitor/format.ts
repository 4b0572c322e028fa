/** How the report and the dashboard write figures: the same text in both. */

/** `0.962` → `96.2%`. */
export const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

/** Milliseconds, one decimal below 10 ms: `0.4ms`, `312ms`; `—` when unmeasured. */
export const millis = (ms: number | null): string =>
  ms === null ? '—' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`;

/** `912 B`, `3.34 KB`, `2.10 MB`. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(2)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/** A span of time: `0.4s`, `45s`, `1m 18s`, `2h 5m`; `—` when unmeasured. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${Math.round(s % 60)}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** A time of day in the reader's locale: `2:30:15 PM`. */
export const clock = (at: number): string => new Date(at).toLocaleTimeString();
