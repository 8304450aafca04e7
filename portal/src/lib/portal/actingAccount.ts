/**
 * The customer account the browser's own gateway calls act for: the one the server acts for (its
 * httpOnly cookie, which scripts cannot read), handed over with the layout's data.
 */
let acting: string | null = null;

/** Called by the root layout in the browser whenever its data changes. */
export function actAs(customerId: string | null): void {
  acting = customerId;
}

/** The header naming the acting account, for a browser call to the gateway; empty for the default. */
export function accountHeader(): Record<string, string> {
  return acting ? { 'x-wisp-account': acting } : {};
}

/** The acting account for a live connection's parameters. */
export function accountParam(): { account?: string } {
  return acting ? { account: acting } : {};
}
