/** Waiting for a service's read models to hold what a test wrote behind its owner's back. */
import { connectMongo, type MongoOptions } from '@wisp/shared';

/** Resolves once the messaging subgraph's read model knows every work order in `ids`. */
export async function untilMessagingKnows(mongo: MongoOptions, ids: unknown[], timeoutMs = 20_000): Promise<void> {
  const conn = await connectMongo('messaging', mongo);
  try {
    const wanted = ids.map(String);
    const deadline = Date.now() + timeoutMs;
    while ((await conn.db!.collection<{ _id: string }>('rm_work-orders').countDocuments({ _id: { $in: wanted } })) < wanted.length) {
      if (Date.now() > deadline) throw new Error('messaging never learnt of the work orders');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await conn.close();
  }
}
