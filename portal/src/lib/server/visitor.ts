import { AsyncLocalStorage } from 'node:async_hooks';
import { vouchForClientAddress } from '@wisp/shared/clientAddress';

/** The address of the visitor whose request is being answered, for every gateway call made for it. */
const visitor = new AsyncLocalStorage<string>();

/** Runs `answer` as the visitor at `address`: the gateway calls it makes say whose they are. */
export const asVisitor = <T>(address: string, answer: () => T): T => visitor.run(address, answer);

/**
 * Headers vouching for the current visitor's address (signed with CLIENT_ADDRESS_SECRET, which the
 * gateway shares), so per-address limits count each visitor and not the portal's own address.
 * None outside a visitor's request or without the secret.
 */
export function visitorHeaders(): Record<string, string> {
  const address = visitor.getStore();
  // Read from the process (adapter-node's environment) so this module also runs outside SvelteKit (unit tests).
  return address ? vouchForClientAddress(process.env.CLIENT_ADDRESS_SECRET?.trim() || undefined, address) : {};
}
