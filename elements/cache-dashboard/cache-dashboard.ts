import { CacheDashboard } from './cache-dashboard.component.ts';

export * from './cache-dashboard.component.ts';
export default CacheDashboard;

// Two copies of the bundle on one page must not throw on the second define.
if (!customElements.get('cache-dashboard')) customElements.define('cache-dashboard', CacheDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'cache-dashboard': CacheDashboard;
  }
}
