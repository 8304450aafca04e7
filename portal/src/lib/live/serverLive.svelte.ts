import { navigating } from '$app/state';

/** Where a page's live feed stands, as {@link LiveIndicator} shows it. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'signed-out';

/** One change the portal's server relayed (see routes/live/+server.ts). */
export interface LiveChange {
  cursor: string;
  kind: string;
  workOrder: { id: string; number: string; title: string; status: string; type: string } | null;
}

/**
 * The browser's end of `/live`: an EventSource, which reconnects by itself and resumes after the
 * last change it received. No login library is needed: the server relays with the session cookie.
 * `status` feeds {@link LiveIndicator}.
 */
export class ServerLive {
  status = $state<LiveStatus>('connecting');
  #source: EventSource | null = null;

  /**
   * `onReady` runs each time the feed is subscribed (first and after a reconnect without a cursor):
   * a page can reload then whatever may have changed between its load and the subscription.
   */
  constructor(path: string, onChange: (change: LiveChange) => void, onReady?: () => void) {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(path);
    this.#source = source;
    source.addEventListener('ready', () => {
      this.status = 'live';
      onReady?.();
    });
    source.addEventListener('change', (e) => {
      try {
        onChange(JSON.parse((e as MessageEvent<string>).data) as LiveChange);
      } catch {
        // a line that is not a change is skipped
      }
    });
    source.addEventListener('signed-out', () => {
      this.status = 'signed-out';
      source.close();
    });
    source.onerror = () => {
      if (this.status === 'signed-out') return;
      // CLOSED: the server refused (no session); CONNECTING: it reconnects by itself.
      this.status = source.readyState === EventSource.CLOSED ? 'signed-out' : 'reconnecting';
    };
  }

  stop(): void {
    this.#source?.close();
    this.#source = null;
  }
}

/**
 * Calls `refresh` once per burst of changes (a status change and its message arrive together).
 * Never while the browser is moving to another page: reloading the current page's data then would
 * cancel the navigation the person asked for (a click on a row while the list refreshes); it waits
 * until the navigation is over instead.
 */
export function coalesce(refresh: () => unknown, delayMs = 150): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    if (navigating.to) timer = setTimeout(fire, delayMs);
    else void refresh();
  };
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fire, delayMs);
  };
}
