/**
 * The sign-in page's own script. The page renders without SvelteKit's client (`csr = false`), so
 * this module is built as an entry of its own (see `vite.config.ts`) at a fixed address under
 * `_app/`, outside the immutable folder: the page names it with the build's version, so a new
 * build is fetched afresh while the chunks it loads keep their hashed, cached names.
 */
export const SIGN_IN_SCRIPT = {
  /** The module, as Vite's manifest names it (relative to `portal/`). */
  source: 'src/lib/portal/signInPage.ts',
  /** The entry's name in the client build. */
  name: 'sign-in',
  /** Where the client build writes it (relative to the client output). */
  file: '_app/sign-in.js',
} as const;
