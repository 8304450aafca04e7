import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupAddress } from 'node:dns';
import { newEvent, startConsumer, withEvents, type Consumer, type EventLog, type Relay, type StoredEvent } from '@wisp/events';
import { isDuplicateKey, isObjectId, type Logger } from '@wisp/shared';
import { Types, type Connection } from 'mongoose';
import type { Models } from '../models/index.ts';
import { signWebhook } from './signing.ts';
import { checkWebhookUrl } from './webhookUrl.ts';
import { endpointWants, WEBHOOK_EVENT_TYPES, webhookBody, webhookMessageId } from './webhookPayload.ts';
import type { WebhookSettings } from './webhookSettings.ts';

/** How much of a receiver's answer is kept on the delivery. */
const EXCERPT_CHARS = 500;
/** How much of an answer is read at all (the rest is not waited for). */
const READ_BYTES = 8 * 1024;

export interface DeliveryRow {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  endpointId: Types.ObjectId;
  eventId: string;
  eventType: string;
  entityKey: string;
  seq: number;
  eventAt: Date;
  body: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  nextAttemptAt: Date | null;
  leaseUntil: Date;
  lastStatusCode?: number | null;
  lastLatencyMs?: number | null;
  lastError?: string | null;
  responseExcerpt?: string | null;
  createdAt?: Date;
  deliveredAt?: Date | null;
}

interface EndpointRow {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  url: string;
  enabled: boolean;
  includeInternal?: boolean;
  secrets: { secret: string; expiresAt?: Date | null }[];
  consecutiveFailures: number;
  failingSince?: Date | null;
}

/** The secrets that sign now: the current one, and a rotated-out one until its overlap ends. */
export const signingSecrets = (secrets: EndpointRow['secrets'], now = new Date()) => secrets.filter((s) => !s.expiresAt || s.expiresAt > now).map((s) => s.secret);

export interface Attempt {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  excerpt: string | null;
}

/**
 * POSTs one delivery, connecting only to `addresses` (the ones just checked: a name that resolves
 * elsewhere by the time of the connection cannot redirect it). Redirects are not followed.
 */
export function postWebhook(url: URL, addresses: { address: string; family: 4 | 6 }[], headers: Record<string, string>, body: string, timeoutMs: number): Promise<Attempt> {
  const started = performance.now();
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const done = (a: Omit<Attempt, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...a, latencyMs: Math.round(performance.now() - started) });
    };
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'wisp-webhooks/1' },
        // Node calls this for host names only; it answers with the checked addresses.
        lookup: ((_host: string, options: { all?: boolean }, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
          if (options?.all) cb(null, addresses);
          else cb(null, addresses[0]!.address, addresses[0]!.family);
        }) as never,
        agent: false,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS);
          const code = res.statusCode ?? 0;
          done({ statusCode: code, error: code >= 200 && code < 300 ? null : `The receiver answered HTTP ${code}.`, excerpt: excerpt || null });
          res.destroy();
        };
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= READ_BYTES) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ statusCode: null, error: `No answer within ${timeoutMs} ms.`, excerpt: null });
    }, timeoutMs);
    req.on('error', (err) => done({ statusCode: null, error: `Could not deliver: ${err.message}`, excerpt: null }));
    req.end(body);
  });
}

/** The delay before attempt `attempts + 1`: doubling from the base, at most the cap, less up to half at random (jitter). */
export function retryDelayMs(attempts: number, settings: Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>, random = Math.random()): number {
  const full = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full * (0.5 + random / 2));
}

export interface WebhookEngine {
  /** The fan-out consumer of the event log (for lag and catching up). */
  consumer: Consumer;
  /** Makes the sender look for due deliveries now (after a replay or a test delivery). */
  wake: () => void;
  stop: () => Promise<void>;
}

/**
 * Runs webhooks for the tenant subgraph: a durable consumer of the event log that turns each event
 * into one delivery per enabled, subscribed endpoint of its tenant (made once per endpoint and event),
 * and a sender that POSTs due deliveries, signed, at least once and in order per entity and
 * endpoint, retrying with backoff and giving up after `giveUpAfterMs`. Several processes may run it:
 * each delivery is taken by an atomic conditional update with a lease, so one sender at a time.
 */
export async function startWebhookEngine(opts: { conn: Connection; models: Models; events: EventLog; relay: Relay; settings: WebhookSettings; logger: Logger }): Promise<WebhookEngine> {
  const { models, settings, logger } = opts;
  const { WebhookEndpoint: Endpoint, WebhookDelivery: Delivery } = models;
  const owner = randomUUID();
  const leaseMs = settings.timeoutMs + 30_000;
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    });
  const wakeUp = () => wake?.();

  async function fanOut(event: StoredEvent) {
    if (!isObjectId(event.tenantId)) return;
    // Endpoints made after the event never get it (the consumer may be catching up on old events).
    const endpoints = await Endpoint.find({ tenantId: event.tenantId, enabled: true, eventTypes: event.type, createdAt: { $lte: event.at } }, { _id: 1, includeInternal: 1 }).lean<{ _id: Types.ObjectId; includeInternal?: boolean }[]>();
    let made = 0;
    for (const ep of endpoints) {
      if (!endpointWants(ep, event)) continue;
      const doc = {
        tenantId: new Types.ObjectId(event.tenantId),
        endpointId: ep._id,
        eventId: event.id,
        eventType: event.type,
        entityKey: `${event.entity}:${event.entityId}`,
        seq: event.seq,
        eventAt: event.at,
        body: webhookBody(event, !!ep.includeInternal),
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: new Date(),
        leaseUntil: new Date(0),
      };
      try {
        const res = await Delivery.updateOne({ endpointId: ep._id, eventId: event.id }, { $setOnInsert: doc }, { upsert: true });
        made += res.upsertedCount ?? 0;
      } catch (err) {
        // Another process made it at the same moment: it exists once, which is the point.
        if (!isDuplicateKey(err)) throw err;
      }
    }
    if (made) wakeUp();
  }

  /** Whether an earlier delivery of the same entity to the same endpoint is still pending; if so, the later one waits for it. */
  async function waitsForEarlier(d: DeliveryRow, now: Date): Promise<boolean> {
    const earlier = await Delivery.findOne({ endpointId: d.endpointId, entityKey: d.entityKey, status: 'PENDING', seq: { $lt: d.seq } }, { nextAttemptAt: 1, leaseUntil: 1 }).sort({ seq: 1 }).lean<DeliveryRow>();
    if (!earlier) return false;
    // Not due before the earlier one is: keeps blocked deliveries out of the sender's way.
    const after = Math.max(earlier.nextAttemptAt?.getTime() ?? 0, earlier.leaseUntil.getTime() > now.getTime() ? now.getTime() + settings.pollMs : 0, now.getTime() + settings.pollMs);
    await Delivery.updateOne({ _id: d._id, status: 'PENDING' }, { $set: { nextAttemptAt: new Date(after) } });
    return true;
  }

  async function recordEndpointFailure(ep: EndpointRow, error: string, now: Date) {
    await Endpoint.updateOne({ _id: ep._id, failingSince: null }, { $set: { failingSince: now } });
    const after = await Endpoint.findOneAndUpdate({ _id: ep._id }, { $inc: { consecutiveFailures: 1 } }, { new: true }).lean<EndpointRow>();
    if (!after?.enabled || !after.failingSince) return;
    const failingMs = now.getTime() - after.failingSince.getTime();
    if (after.consecutiveFailures < settings.disableAfterFailures || failingMs < settings.disableAfterMs) return;
    const hours = failingMs / 3600_000;
    const stretch = hours >= 1 ? `${Math.floor(hours)} h` : `${Math.max(1, Math.round(failingMs / 60_000))} min`;
    const reason = `Disabled after every delivery failed for ${stretch} (${after.consecutiveFailures} attempts in a row). Last error: ${error}`.slice(0, 500);
    const event = newEvent('webhook.endpointDisabled', {
      tenantId: String(ep.tenantId),
      entityId: String(ep._id),
      kind: 'endpoint_disabled',
      workOrderId: null,
      customerIds: [],
      internal: false,
      payload: { url: ep.url, reason, consecutiveFailures: after.consecutiveFailures, failingSince: after.failingSince.toISOString() },
    });
    // Conditional on still being enabled: of several senders noticing at once, one disables (and announces) it.
    const res = await Endpoint.updateOne({ _id: ep._id, enabled: true }, withEvents({ $set: { enabled: false, disabledReason: reason, disabledAt: now } }, [event]));
    if (!res.modifiedCount) return;
    await opts.relay.flush(Endpoint, ep._id);
    logger.warn('webhook endpoint disabled after sustained failure', { endpointId: String(ep._id), tenantId: String(ep.tenantId), failures: after.consecutiveFailures });
  }

  async function send(d: DeliveryRow, ep: EndpointRow) {
    const now = new Date();
    const check = await checkWebhookUrl(ep.url, { allowLoopback: settings.allowLoopback });
    const attempt: Attempt = check.ok
      ? await postWebhook(check.url, check.addresses, signWebhook(signingSecrets(ep.secrets, now), webhookMessageId(d.eventId, String(d.endpointId)), d.body, now), d.body, settings.timeoutMs)
      : { statusCode: null, latencyMs: 0, error: `Refused to send: ${check.message}`, excerpt: null };
    const at = new Date();
    const mine = { _id: d._id, leaseOwner: owner, status: 'PENDING' };
    const last = { lastStatusCode: attempt.statusCode, lastLatencyMs: attempt.latencyMs, lastError: attempt.error, responseExcerpt: attempt.excerpt, leaseUntil: new Date(0), leaseOwner: null };
    if (!attempt.error) {
      await Delivery.updateOne(mine, { $set: { ...last, status: 'DELIVERED', deliveredAt: at, nextAttemptAt: null }, $inc: { attempts: 1 } });
      await Endpoint.updateOne({ _id: ep._id, $or: [{ consecutiveFailures: { $ne: 0 } }, { failingSince: { $ne: null } }] }, { $set: { consecutiveFailures: 0, failingSince: null, lastSuccessAt: at } });
      return;
    }
    const attempts = d.attempts + 1;
    const next = at.getTime() + retryDelayMs(attempts, settings);
    const giveUp = next - d.eventAt.getTime() > settings.giveUpAfterMs;
    await Delivery.updateOne(mine, { $set: { ...last, status: giveUp ? 'FAILED' : 'PENDING', nextAttemptAt: giveUp ? null : new Date(next) }, $inc: { attempts: 1 } });
    await recordEndpointFailure(ep, attempt.error, at);
  }

  const inFlight = new Set<string>();
  const running = new Set<Promise<void>>();

  /** Takes and starts up to `free` due deliveries; how many it started. */
  async function startDue(free: number): Promise<number> {
    const now = new Date();
    const due = await Delivery.find({ status: 'PENDING', nextAttemptAt: { $lte: now }, leaseUntil: { $lte: now } }).sort({ nextAttemptAt: 1 }).limit(Math.max(50, free * 4)).lean<DeliveryRow[]>();
    if (!due.length) return 0;
    // Per entity and endpoint the oldest first, whatever their due times.
    due.sort((a, b) => a.seq - b.seq);
    const endpointIds = [...new Set(due.map((d) => String(d.endpointId)))];
    const endpoints = new Map((await Endpoint.find({ _id: { $in: endpointIds } }).select('+secrets').lean<EndpointRow[]>()).map((e) => [String(e._id), e]));
    let started = 0;
    const seen = new Set<string>();
    for (const d of due) {
      if (started >= free || stopped) break;
      const key = `${d.endpointId}|${d.entityKey}`;
      // One delivery per entity and endpoint at a time; the later ones of a batch wait their turn.
      if (inFlight.has(key) || seen.has(key)) continue;
      seen.add(key);
      const ep = endpoints.get(String(d.endpointId));
      if (!ep) {
        await Delivery.updateOne({ _id: d._id, status: 'PENDING' }, { $set: { status: 'FAILED', lastError: 'The endpoint was removed.', nextAttemptAt: null } });
        continue;
      }
      if (!ep.enabled) {
        // Parked until the endpoint is enabled again (which makes its deliveries due at once).
        await Delivery.updateOne({ _id: d._id, status: 'PENDING' }, { $set: { nextAttemptAt: new Date(now.getTime() + settings.retryMaxMs) } });
        continue;
      }
      if (await waitsForEarlier(d, now)) continue;
      const taken = await Delivery.findOneAndUpdate(
        { _id: d._id, status: 'PENDING', nextAttemptAt: { $lte: now }, leaseUntil: { $lte: now } },
        { $set: { leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: owner } },
        { new: true },
      ).lean<DeliveryRow>();
      if (!taken) continue;
      started++;
      inFlight.add(key);
      const job = send(taken, ep)
        .catch((err) => logger.error('webhook delivery failed unexpectedly; it is retried when its lease ends', { deliveryId: String(d._id), error: String(err) }))
        .finally(() => {
          inFlight.delete(key);
          running.delete(job);
          wakeUp();
        });
      running.add(job);
    }
    return started;
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      let started = 0;
      try {
        const free = settings.concurrency - running.size;
        if (free > 0) started = await startDue(free);
        failures = 0;
      } catch (err) {
        failures++;
        logger.warn('webhook sender failed; retrying', { failures, error: String(err) });
        await sleep(Math.min(30_000, 100 * 2 ** failures));
        continue;
      }
      if (!started) await sleep(settings.pollMs);
    }
  })();

  const consumer = await startConsumer({ name: 'tenant.webhooks', conn: opts.conn, log: opts.events, types: WEBHOOK_EVENT_TYPES, handle: fanOut, logger, pollMs: 100 });

  return {
    consumer,
    wake: wakeUp,
    async stop() {
      stopped = true;
      await consumer.stop();
      wakeUp();
      await loop;
      await Promise.allSettled([...running]);
    },
  };
}
