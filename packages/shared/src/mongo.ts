import mongoose, { type Connection } from 'mongoose';

/** Where a service keeps its data: one database per service, named `${prefix}_${service}`. */
export interface MongoOptions {
  /** A MongoDB connection string (MongoDB 7 in production, the embedded FerretDB in development). */
  uri: string;
  /** Prefix of every database name, so test runs and installs never share data. @default "wisp" */
  dbPrefix?: string;
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
  });
  await conn.asPromise();
  return conn;
}

/** Builds every model's indexes (unique keys are how invariants hold without transactions). */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.init().then(() => model.createIndexes());
}
