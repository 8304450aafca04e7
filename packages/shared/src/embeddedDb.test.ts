/**
 * What the code relies on from whichever MongoDB the suite runs against (the embedded
 * mongo-java-server by default, MongoDB 7 with MONGODB_URI): atomic updates, unique keys on insert
 * and update alike, and findOneAndUpdate with a projection.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isDuplicateKey } from './duplicateKey.ts';

describe('the database underneath', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await mongoose.createConnection(inject('mongoUri'), { dbName: `probe_${randomBytes(4).toString('hex')}`, maxPoolSize: 50 }).asPromise();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('applies 100 concurrent increments of one document', async () => {
    const c = conn.db!.collection<{ _id: string; n: number }>('counters');
    await c.insertOne({ _id: 'x', n: 0 });
    await Promise.all(Array.from({ length: 100 }, () => c.updateOne({ _id: 'x' }, { $inc: { n: 1 } })));
    expect((await c.findOne({ _id: 'x' }))?.n).toBe(100);
  });

  it('lets exactly one of 20 concurrent conditional updates win, round after round', async () => {
    const c = conn.db!.collection<{ _id: number; s: string; by?: number }>('races');
    for (let round = 0; round < 20; round++) {
      await c.insertOne({ _id: round, s: 'open' });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c.updateOne({ _id: round, s: 'open' }, { $set: { s: 'taken', by: i } })));
      expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(1);
    }
  });

  it('reports a unique-index violation as a duplicate key on insert and on update', async () => {
    const c = conn.db!.collection<{ k: string }>('uniques');
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertMany([{ k: 'a' }, { k: 'b' }]);
    const onInsert = await c.insertOne({ k: 'a' }).catch((e: unknown) => e);
    const onUpdate = await c.updateOne({ k: 'b' }, { $set: { k: 'a' } }).catch((e: unknown) => e);
    expect(isDuplicateKey(onInsert)).toBe(true);
    expect(isDuplicateKey(onUpdate)).toBe(true);
    expect(await c.countDocuments({ k: 'a' })).toBe(1);
  });

  it('returns the updated document with a projection from findOneAndUpdate', async () => {
    const c = conn.db!.collection<{ _id: string; n: number; secret: string }>('fam');
    await c.insertOne({ _id: 'doc', n: 1, secret: 'kept' });
    const after = await c.findOneAndUpdate({ _id: 'doc', n: 1 }, { $inc: { n: 1 } }, { returnDocument: 'after', projection: { n: 1 } });
    expect(after).toEqual({ _id: 'doc', n: 2 });
    expect(await c.findOneAndUpdate({ _id: 'doc', n: 1 }, { $inc: { n: 1 } })).toBeNull();
  });
});
