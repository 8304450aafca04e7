/**
 * The sign-in page's script (the page has no SvelteKit client; its forms post to the server and
 * work without any script). With it the browser signs in by itself as well, loading its login
 * library only on submit, so the pages rendered in the browser know the login too; the button
 * says it is working meanwhile, and a failure is told without reloading the page. Should the login
 * library not load, the form is posted as it would be without scripts.
 */
import type { PublicConfig } from '$lib/config';
import type { SignInProblem } from './signInWords';

/** What the sign-in page hands its script, as JSON in its `#sign-in-setup` element. */
export interface SignInPageSetup {
  /** The portal's public settings: gateway and login service. */
  config: PublicConfig;
  tenant: { tenantSlug: string; authTenantId: string | null };
  /** Where to go once signed in: a path on this portal. */
  next: string;
  /** Every sign-in problem's sentence, and the busy buttons' labels, in the page's language. */
  words: Record<SignInProblem | 'signingIn' | 'checking', string>;
}

const root = document.querySelector<HTMLElement>('[data-sign-in]');
const setup = document.getElementById('sign-in-setup')?.textContent;
if (root && setup) enhance(root, JSON.parse(setup) as SignInPageSetup);

function enhance(root: HTMLElement, setup: SignInPageSetup) {
  const login = () => import('./browserSignIn').catch(() => null);
  const { config, tenant, words } = setup;
  let busy = false;

  /** Posts the form as a browser without scripts would (the server does the rest). */
  const post = (form: HTMLFormElement) => HTMLFormElement.prototype.submit.call(form);

  function working(form: HTMLFormElement, label: string | null) {
    busy = label !== null;
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (button) {
      button.dataset.label ??= button.textContent ?? '';
      button.disabled = busy;
      button.textContent = label ?? button.dataset.label;
    }
    // Read-only rather than disabled: a form posted after all still sends what was typed.
    for (const input of form.querySelectorAll<HTMLInputElement>('input:not([type=hidden])')) input.readOnly = busy;
  }

  function tell(form: HTMLFormElement, text: string | null) {
    let shown = form.querySelector<HTMLElement>('[data-testid=sign-in-error]');
    if (!text) return shown?.remove();
    if (!shown) {
      shown = document.createElement('p');
      shown.className = 'error';
      shown.setAttribute('role', 'alert');
      shown.dataset.testid = 'sign-in-error';
      form.querySelector('button[type=submit]')?.before(shown);
    }
    shown.textContent = text;
  }

  const field = (form: HTMLFormElement, name: string) => form.elements.namedItem(name) as HTMLInputElement | null;

  root.querySelector<HTMLFormElement>('form[data-step=password]')?.addEventListener('submit', async (event) => {
    const form = event.currentTarget as HTMLFormElement;
    event.preventDefault();
    if (busy) return;
    const email = (field(form, 'email')?.value ?? '').trim();
    const password = field(form, 'password')?.value ?? '';
    if (!email || !password) return tell(form, words.missing);
    tell(form, null);
    working(form, words.signingIn);
    const module = await login();
    if (!module) return post(form);
    const r = await module.signInInBrowser(config, tenant, email, password);
    if (r.ok) return location.replace(setup.next);
    working(form, null);
    tell(form, words[r.problem]);
    const typed = field(form, 'password');
    if (typed) typed.value = '';
  });

  root.querySelector<HTMLFormElement>('form[data-step=code]')?.addEventListener('submit', async (event) => {
    const form = event.currentTarget as HTMLFormElement;
    event.preventDefault();
    if (busy) return;
    tell(form, null);
    working(form, words.checking);
    const module = await login();
    const r = module ? await module.passSecondFactorInBrowser(config, tenant, field(form, 'code')?.value ?? '') : null;
    // Signed in without the browser's own login: the server checks the code.
    if (!r) return post(form);
    if (r.ok) return location.replace(setup.next);
    working(form, null);
    tell(form, words[r.problem]);
  });

  root.querySelector<HTMLFormElement>('form[data-step=sign-out]')?.addEventListener('submit', async (event) => {
    const form = event.currentTarget as HTMLFormElement;
    event.preventDefault();
    if (busy) return;
    busy = true;
    // The browser's own login ends too; the post then ends the server's session.
    await (await login())?.signOutInBrowser(config, tenant).catch(() => undefined);
    post(form);
  });
}
