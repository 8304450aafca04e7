import type { Component } from 'svelte';
import type { PageLoad } from './$types';

/**
 * Brings in the component the server chose: a customer's browser loads the dashboard, staff
 * theirs. Runs before the page renders (on the server, and before hydration in the browser), so nothing shows half-loaded.
 */
export const load: PageLoad = async ({ data }) => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let view: Component<any> | null = null;
  if (data.view === 'dashboard') view = (await import('./CustomerDashboard.svelte')).default;
  else if (data.view === 'staff') view = (await import('./StaffDashboard.svelte')).default;
  return { ...data, component: view };
};
