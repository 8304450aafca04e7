import { untrack } from 'svelte';

/**
 * A text field's value for `bind:value`, starting as the server rendered it (`source`). Bound, the
 * field keeps what was typed before the page's script started (a one-way `value` is set back to
 * the server's at hydration); afterwards it follows changes of `source`, such as a refused post's
 * answer. Call it while a component initialises.
 */
export function typedField(source: () => string): { value: string } {
  let shown = $state(untrack(source));
  let last = untrack(source);
  $effect.pre(() => {
    const next = source();
    if (next === last) return;
    last = next;
    shown = next;
  });
  return {
    get value() {
      return shown;
    },
    set value(typed: string) {
      shown = typed;
    },
  };
}
