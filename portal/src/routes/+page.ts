import type { Component } from 'svelte';
import type { PageLoad } from './$types';

/**
 * Brings in the component the server chose: a customer's browser loads the dashboard, staff the
 * dashboard their browser renders. Runs before the page renders (on the server, and before
 * hydration in the browser), so nothing shows half-loaded.
 */
export const load: PageLoad = async ({ data }) => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const view: Component<any> = data.view === 'dashboard' ? (await import('./CustomerDashboard.svelte')).default : (await import('./BrowserStart.svelte')).default;
  return { ...data, component: view };
};
