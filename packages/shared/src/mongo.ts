import mongoose, { type Connection } from 'mongoose';

// Mongoose records a stack trace with every query it runs, only to enrich the error of a query
// executed twice (a bug no code path here has). With source maps on, that capture cost more than
// building the query; errors keep their own stacks.
mongoose.set('skipOriginalStackTraces', true);

/** Where a service keeps its data: one database per service, named `${prefix}_${service}`. */
export interface MongoOptions {
  /** A MongoDB connection string (MongoDB 7 in production, the embedded mongo-java-server in development and tests). */
  uri: string;
  /** Prefix of every database name, so test runs and installs never share data. @default "wisp" */
  dbPrefix?: string;
  /** Called for every command sent on connections opened with these options (measurements and tests). */
  onCommand?: (event: { commandName: string; databaseName: string; command: Record<string, unknown>; service?: string }) => void;
  /**
   * The service these options belong to. Set, it may open only its own database and the platform's
   * shared ones ({@link SHARED_DATABASES}); any other name is refused.
   */
  service?: string;
}

/**
 * Who owns each database. A service reads and writes only its own; what it must know of another
 * service's entities it keeps in read models fed by that service's events. Two databases are the
 * platform's plumbing rather than any service's data, and are used only through their modules:
 * the event log (`@wisp/events`: append, read after a cursor) and the outbox of mail and texts
 * (`@wisp/shared`'s outboxes: queue, list, send), as a message broker and a mail relay would be.
 */
export const DATABASE_OWNERS = {
  tenant: 'the tenant subgraph',
  customer: 'the customer subgraph',
  'work-order': 'the work-order subgraph',
  messaging: 'the messaging subgraph',
  gateway: 'the gateway (rate-limit budgets its processes share)',
  events: 'the event log (@wisp/events)',
  outbox: 'the mail and text-message outbox (@wisp/shared)',
} as const;

/** Databases every service may open (through their modules only). */
export const SHARED_DATABASES: readonly string[] = ['events', 'outbox'];

/** Throws unless `service` may open `database`. */
export function assertMayOpen(service: string | undefined, database: string): void {
  if (!service || service === database || SHARED_DATABASES.includes(database)) return;
  throw new Error(`The ${service} service may not open the ${database} database: it belongs to ${DATABASE_OWNERS[database as keyof typeof DATABASE_OWNERS] ?? 'no service'}. Use the graph or that service's events.`);
}

/** The options a service hands on: bound to it, so every connection it opens is checked. */
export function mongoFor(service: string, options: MongoOptions): MongoOptions {
  return { ...options, service };
}

export function dbName(service: string, prefix = 'wisp'): string {
  return `${prefix}_${service.replace(/[^a-z0-9]/gi, '_')}`;
}

/** Opens a dedicated connection (never the global mongoose one: several services may share a process). */
export async function connectMongo(service: string, options: MongoOptions): Promise<Connection> {
  assertMayOpen(options.service, service);
  const conn = mongoose.createConnection(options.uri, {
    dbName: dbName(service, options.dbPrefix),
    serverSelectionTimeoutMS: 10_000,
    autoIndex: false,
    ...(options.onCommand ? { monitorCommands: true } : {}),
  });
  await conn.asPromise();
  if (options.onCommand) {
    const listener = options.onCommand;
    conn.getClient().on('commandStarted', (e) => listener({ commandName: e.commandName, databaseName: e.databaseName, command: e.command, service: options.service }));
  }
  return conn;
}

/** Builds every model's indexes (unique keys are how invariants hold without transactions). */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.init().then(() => model.createIndexes());
}
