import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  replayedAt?: Date | null;
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

// Connections to a receiver are kept open between deliveries. A kept connection goes to the
// address that was checked when it was opened, so reusing it never reaches an unchecked one.
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 8, timeout: 60_000 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 8, timeout: 60_000 }) };

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
        agent: url.protocol === 'https:' ? agents.https : agents.http,
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

  /**
   * The deliveries of a batch of events: one query for the endpoints of every tenant in it, one
   * ordered insert. Order matters: a later event's delivery is never visible before an earlier one's
   * (the sender's in-order check relies on it). A batch seen before (a restart, or another process
   * fanning out too) meets the unique index and is then made one delivery at a time, each once.
   */
  async function fanOut(events: StoredEvent[]) {
    const mine = events.filter((e) => isObjectId(e.tenantId));
    if (!mine.length) return;
    const endpoints = await Endpoint.find(
      { tenantId: { $in: [...new Set(mine.map((e) => e.tenantId))] }, receiving: true, eventTypes: { $in: [...new Set(mine.map((e) => e.type))] }, createdAt: { $lte: mine.at(-1)!.at } },
      { _id: 1, tenantId: 1, eventTypes: 1, includeInternal: 1, createdAt: 1 },
    ).lean<{ _id: Types.ObjectId; tenantId: Types.ObjectId; eventTypes: string[]; includeInternal?: boolean; createdAt: Date }[]>();
    if (!endpoints.length) return;
    const now = new Date();
    const docs = mine.flatMap((event) =>
      endpoints
        // Endpoints made after the event never get it (the consumer may be catching up on old events).
        .filter((ep) => String(ep.tenantId) === event.tenantId && ep.eventTypes.includes(event.type) && ep.createdAt <= new Date(event.at) && endpointWants(ep, event))
        .map((ep) => ({
          tenantId: ep.tenantId,
          endpointId: ep._id,
          eventId: event.id,
          eventType: event.type,
          entityKey: `${event.entity}:${event.entityId}`,
          seq: event.seq,
          eventAt: event.at,
          body: webhookBody(event, !!ep.includeInternal),
          status: 'PENDING',
          attempts: 0,
          nextAttemptAt: now,
          leaseUntil: new Date(0),
        })),
    );
    if (!docs.length) return;
    try {
      await Delivery.insertMany(docs, { ordered: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      for (const doc of docs) {
        try {
          await Delivery.updateOne({ endpointId: doc.endpointId, eventId: doc.eventId }, { $setOnInsert: doc }, { upsert: true });
        } catch (e) {
          // Another process made it at the same moment: it exists once, which is the point.
          if (!isDuplicateKey(e)) throw e;
        }
      }
    }
    wakeUp();
  }

  /** Whether an earlier delivery of the same entity to the same endpoint is still pending; if so, the later one waits for it. */
  async function waitsForEarlier(d: DeliveryRow, now: Date): Promise<boolean> {
    const earlier = await Delivery.findOne({ endpointId: d.endpointId, entityKey: d.entityKey, status: 'PENDING', seq: { $lt: d.seq } }, { nextAttemptAt: 1, leaseUntil: 1 }).sort({ seq: 1 }).lean<DeliveryRow>();
    if (!earlier) return false;
    // Not due before the earlier one is: keeps blocked deliveries out of the sender's way. The
    // earlier one's sender makes it due the moment it is done (or its lease runs out, if it died).
    const inFlight = earlier.leaseUntil.getTime() > now.getTime();
    const after = inFlight ? earlier.leaseUntil.getTime() : Math.max(earlier.nextAttemptAt?.getTime() ?? 0, now.getTime() + settings.pollMs);
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

  /** One attempt of `d`, recorded; true when it was delivered. */
  async function send(d: DeliveryRow, ep: EndpointRow): Promise<boolean> {
    const now = new Date();
    const check = await checkWebhookUrl(ep.url, { allowLoopback: settings.allowLoopback });
    const attempt: Attempt = check.ok
      ? await postWebhook(check.url, check.addresses, signWebhook(signingSecrets(ep.secrets, now), webhookMessageId(d.eventId, String(d.endpointId)), d.body, now), d.body, settings.timeoutMs)
      : { statusCode: null, latencyMs: 0, error: `Refused to send: ${check.message}`, excerpt: null };
    const at = new Date();
    const mine = { _id: d._id, leaseOwner: owner, status: 'PENDING' };
    // The entity's next delivery to this endpoint waited for this one: it is due as soon as this one is done.
    const releaseNext = () =>
      Delivery.findOneAndUpdate({ endpointId: d.endpointId, entityKey: d.entityKey, status: 'PENDING', seq: { $gt: d.seq } }, { $set: { nextAttemptAt: at } }, { sort: { seq: 1 }, projection: { _id: 1 } }).lean();
    const last = { lastStatusCode: attempt.statusCode, lastLatencyMs: attempt.latencyMs, lastError: attempt.error, responseExcerpt: attempt.excerpt, leaseUntil: new Date(0), leaseOwner: null };
    if (!attempt.error) {
      await Delivery.updateOne(mine, { $set: { ...last, status: 'DELIVERED', deliveredAt: at, nextAttemptAt: null }, $inc: { attempts: 1 } });
      // A failing stretch ends with any success (the snapshot says whether there is one).
      if (ep.consecutiveFailures || ep.failingSince) {
        await Endpoint.updateOne({ _id: ep._id }, { $set: { consecutiveFailures: 0, failingSince: null, lastSuccessAt: at } });
        Object.assign(ep, { consecutiveFailures: 0, failingSince: null });
      }
      return true;
    }
    const attempts = d.attempts + 1;
    const next = at.getTime() + retryDelayMs(attempts, settings);
    // A replay starts the clock again.
    const giveUp = next - (d.replayedAt ?? d.eventAt).getTime() > settings.giveUpAfterMs;
    await Delivery.updateOne(mine, { $set: { ...last, status: giveUp ? 'FAILED' : 'PENDING', nextAttemptAt: giveUp ? null : new Date(next) }, $inc: { attempts: 1 } });
    if (giveUp && d.seq > 0) await releaseNext();
    await recordEndpointFailure(ep, attempt.error, at);
    return false;
  }

  /**
   * After `d` was delivered: takes the same entity's next delivery to the same endpoint, which
   * waited for it, so it goes at once without a round through the queue. Null when there is none,
   * or it is not this sender's to take now (in its own backoff after a replay, or taken elsewhere).
   */
  async function takeNext(d: DeliveryRow): Promise<DeliveryRow | null> {
    if (d.seq <= 0 || stopped) return null;
    const now = new Date();
    const next = await Delivery.findOne({ endpointId: d.endpointId, entityKey: d.entityKey, status: 'PENDING', seq: { $gt: d.seq } }).sort({ seq: 1 }).lean<DeliveryRow>();
    if (!next || next.leaseUntil > now) return null;
    if (next.attempts > 0) {
      await Delivery.updateOne({ _id: next._id, status: 'PENDING', nextAttemptAt: { $gt: now } }, { $set: { nextAttemptAt: now } });
      return null;
    }
    return Delivery.findOneAndUpdate({ _id: next._id, status: 'PENDING', leaseUntil: { $lte: now } }, { $set: { leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: owner } }, { new: true }).lean<DeliveryRow>();
  }

  /** How old the endpoint as a chain of deliveries knows it may get (a change reaches the chain within this). */
  const ENDPOINT_FRESH_MS = 1000;

  /** Sends `first`, then as long as each is delivered, the entity's next ones in order. */
  async function sendInOrder(first: DeliveryRow, endpoint: EndpointRow) {
    let ep = endpoint;
    let read = Date.now();
    for (let d: DeliveryRow | null = first; d; d = await takeNext(d)) {
      if (Date.now() - read > ENDPOINT_FRESH_MS) {
        const fresh = await Endpoint.findById(ep._id).select('+secrets').lean<EndpointRow>();
        read = Date.now();
        if (!fresh?.enabled) {
          // Disabled or removed meanwhile: back to the queue, which parks or ends it.
          await Delivery.updateOne({ _id: d._id, leaseOwner: owner }, { $set: { leaseUntil: new Date(0), leaseOwner: null } });
          return;
        }
        ep = fresh;
      }
      if (!(await send(d, ep))) return;
    }
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
        // Parked until the endpoint is enabled again (which makes its deliveries due at once), or given up.
        const expired = now.getTime() - (d.replayedAt ?? d.eventAt).getTime() > settings.giveUpAfterMs;
        await Delivery.updateOne(
          { _id: d._id, status: 'PENDING' },
          { $set: expired ? { status: 'FAILED', nextAttemptAt: null, lastError: d.lastError ?? 'The endpoint was disabled until the delivery was given up.' } : { nextAttemptAt: new Date(now.getTime() + settings.retryMaxMs) } },
        );
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
      const job = sendInOrder(taken, ep)
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

  const consumer = await startConsumer({ name: 'tenant.webhooks', conn: opts.conn, log: opts.events, types: WEBHOOK_EVENT_TYPES, handleBatch: fanOut, logger, pollMs: 100 });

  return {
    consumer,
    wake: wakeUp,
    async stop() {
      stopped = true;
      await consumer.stop();
      wakeUp();
      await loop;
      // Sends under way finish, or are left to their leases (another process, or the next start,
      // tries them again: at least once) rather than hold the shutdown for a whole timeout.
      await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, 3_000).unref())]);
    },
  };
}
