/**
 * The sign-in page's script (the page has no SvelteKit client; its forms post to the portal's
 * server, which signs in, and work without any script). With it, a form missing its email or
 * password says so before posting, and the button says it is working while the post is under way
 * (and cannot be pressed twice). The sign-in itself is always the server's.
 */

/** What the sign-in page hands its script, as JSON in its `#sign-in-setup` element. */
export interface SignInPageSetup {
  /** The sentences the script may show, and the busy buttons' labels, in the page's language. */
  words: { missing: string; signingIn: string; checking: string; signingOut: string };
}

const root = document.querySelector<HTMLElement>('[data-sign-in]');
const setup = document.getElementById('sign-in-setup')?.textContent;
if (root && setup) enhance(root, JSON.parse(setup) as SignInPageSetup);

function enhance(root: HTMLElement, { words }: SignInPageSetup) {
  /** The button says what is under way; the fields are read-only (not disabled, so they are still posted). */
  function working(form: HTMLFormElement, label: string) {
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (button) {
      button.disabled = true;
      button.textContent = label;
    }
    for (const input of form.querySelectorAll<HTMLInputElement>('input:not([type=hidden])')) input.readOnly = true;
  }

  function tell(form: HTMLFormElement, text: string) {
    let shown = form.querySelector<HTMLElement>('[data-testid=sign-in-error]');
    if (!shown) {
      shown = document.createElement('p');
      shown.className = 'error';
      shown.setAttribute('role', 'alert');
      shown.dataset.testid = 'sign-in-error';
      form.querySelector('button[type=submit]')?.before(shown);
    }
    shown.textContent = text;
  }

  const value = (form: HTMLFormElement, name: string) => ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();
  const steps: [string, (form: HTMLFormElement) => string | null, string][] = [
    ['password', (form) => (value(form, 'email') && value(form, 'password') ? null : words.missing), words.signingIn],
    ['code', () => null, words.checking],
    ['sign-out', () => null, words.signingOut],
  ];
  for (const [step, refusal, label] of steps) {
    root.querySelector<HTMLFormElement>(`form[data-step=${step}]`)?.addEventListener('submit', (event) => {
      const form = event.currentTarget as HTMLFormElement;
      // A post already under way: the second press does nothing.
      if (form.dataset.posting) return event.preventDefault();
      const problem = refusal(form);
      if (problem) {
        event.preventDefault();
        return tell(form, problem);
      }
      form.dataset.posting = 'yes';
      // Changed in a later task, once the browser has read the form's entries for the post.
      setTimeout(() => working(form, label));
    });
  }
  // Back from the browser's cache (the back button after signing in): usable again.
  addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });
}
