import mongoose, { type Connection } from 'mongoose';

/** Where a service keeps its data: one database per service, named `${prefix}_${service}`. */
export interface MongoOptions {
  /** A MongoDB connection string (MongoDB 7 in production, the embedded mongo-java-server in development and tests). */
  uri: string;
  /** Prefix of every database name, so test runs and installs never share data. @default "wisp" */
  dbPrefix?: string;
  /** Called for every command sent on connections opened with these options (measurements and tests). */
  onCommand?: (event: { commandName: string; databaseName: string; command: Record<string, unknown> }) => void;
}

export function dbName(service: string, prefix = 'wisp'): string {
  return `${prefix}_${service.replace(/[^a-z0-9]/gi, '_')}`;
}

/** Opens a dedicated connection (never the global mongoose one: several services may share a process). */
export async function connectMongo(service: string, options: MongoOptions): Promise<Connection> {
  const conn = mongoose.createConnection(options.uri, {
    dbName: dbName(service, options.dbPrefix),
    serverSelectionTimeoutMS: 10_000,
    autoIndex: false,
    ...(options.onCommand ? { monitorCommands: true } : {}),
  });
  await conn.asPromise();
  if (options.onCommand) {
    const listener = options.onCommand;
    conn.getClient().on('commandStarted', (e) => listener({ commandName: e.commandName, databaseName: e.databaseName, command: e.command }));
  }
  return conn;
}

/** Builds every model's indexes (unique keys are how invariants hold without transactions). */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.init().then(() => model.createIndexes());
}
