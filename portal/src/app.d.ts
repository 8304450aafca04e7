import type { PortalBranding } from '$lib/branding';
import type { ServerSession } from '$lib/server/session';
import type { LanguageCode } from '@wisp/shared/languages';

declare global {
  namespace App {
    interface Locals {
      /**
       * The tenant whose portal this request's host names. `hooks.server.ts` answers unknown hosts
       * and suspended tenants itself, so routes only ever see an active tenant here.
       */
      tenant: PortalBranding | null;
      /** The browser's sign-in as the server holds it (httpOnly cookies), or null when signed out. */
      session: ServerSession | null;
      /** The language this response is written in (see $lib/i18n/negotiate: choice, Accept-Language, tenant default). */
      lang: LanguageCode;
    }
    interface Error {
      message: string;
    }
    // interface PageData {}
    // interface PageState {}
    // interface Platform {}
  }
}

export {};
