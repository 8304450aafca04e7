/** How a login is linked to a customer account (the gateway's AccountRole). */
export type AccountRole = 'OWNER' | 'MEMBER' | 'MANAGER';

/** One of the accounts a customer login may act for, as the account switcher shows it. */
export interface AccountChoice {
  id: string;
  name: string;
  accountNumber: string;
  role: AccountRole;
  /** The account this request acts for. */
  active: boolean;
}

/**
 * Where to go after switching account from `path`: the same page, except a ticket's own pages,
 * which belong to the account left behind (its list is the nearest page that still makes sense).
 */
export function pathAfterSwitch(path: string | null): string {
  if (!path) return '/';
  const ticket = /^\/tickets\/(?!new(?:[/?#]|$))[^/?#]+/.exec(path);
  return ticket ? '/tickets' : path;
}
