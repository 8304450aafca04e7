import { applyAction } from '$app/forms';
import { goto } from '$app/navigation';
import { page } from '$app/state';
import type { ActionResult } from '@sveltejs/kit';

/**
 * Shows an enhanced form's answer. A post that succeeded at a step's own address (`?edit=<id>`,
 * `?remove=<id>`) closes that step: the page goes back to its plain address and shows the answer
 * there, as the same post without scripts does; anything else is SvelteKit's usual update.
 */
export async function showAnswer(
  result: ActionResult,
  formElement: HTMLFormElement,
  update: (options?: { reset?: boolean }) => Promise<void>,
): Promise<void> {
  if (result.type === 'success' && page.url.search) {
    await goto(page.url.pathname, { replaceState: true, noScroll: true, keepFocus: true });
    await applyAction(result);
    formElement.reset();
  } else await update({ reset: result.type === 'success' });
}
