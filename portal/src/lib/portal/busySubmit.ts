import type { SubmitFunction } from '@sveltejs/kit';

/**
 * An enhanced form's submit handler that tells `busy` while the post is under way (the button
 * says so and is disabled), then applies the answer as SvelteKit's default does, keeping what was
 * typed. `onFailure` runs on a refused post before the answer is shown.
 */
export function busySubmit(busy: (on: boolean) => void, onFailure?: (form: HTMLFormElement) => void): SubmitFunction {
  return ({ formElement }) => {
    busy(true);
    return async ({ result, update }) => {
      if (result.type === 'failure') onFailure?.(formElement);
      await update({ reset: false });
      busy(false);
    };
  };
}
