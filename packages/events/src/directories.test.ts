import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectMongo, createLogger, demoId, openOutbox, renderBrandedEmail, type Outbox, type TenantDirectory } from '@wisp/shared';
import type { Connection } from 'mongoose';
import { openTenantDirectory } from './directories.ts';
import { openEventLog, type EventLog } from './eventLog.ts';

describe('the outbox and a tenant directory kept from events', () => {
  let outbox: Outbox;
  let tenants: TenantDirectory;
  let conn: Connection;
  let log: EventLog;
  beforeAll(async () => {
    outbox = await openOutbox({ uri: inject('mongoUri'), dbPrefix: `ob_${randomBytes(4).toString('hex')}` });
    // A reader of its own (a fresh database), fed from the running stack's event log from its start.
    conn = await connectMongo('reader', { uri: inject('mongoUri'), dbPrefix: `rd_${randomBytes(4).toString('hex')}` });
    log = await openEventLog({ uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
    tenants = await openTenantDirectory({ conn, log, logger: createLogger('test-reader') });
  });
  afterAll(async () => {
    await outbox.close();
    await tenants.close();
    await log.close();
    await conn.dropDatabase();
    await conn.close();
  });

  it('finds a tenant by id and by slug, and nothing for unknown or malformed ones', async () => {
    const byId = await tenants.get(demoId('tenant:skyline'));
    expect(byId).toMatchObject({ slug: 'skyline', name: expect.any(String), domains: expect.any(Array) });
    expect(await tenants.bySlug('skyline')).toEqual(byId);
    expect(await tenants.bySlug('no-such-tenant')).toBeNull();
    expect(await tenants.bySlug('../x')).toBeNull();
  });

  it('renders mail in the tenant’s own name, with no platform name, and stores it once per key', async () => {
    const skyline = await tenants.get(demoId('tenant:skyline'));
    expect(skyline).toMatchObject({ slug: 'skyline', status: 'ACTIVE', authTenantId: expect.any(String) });
    const mail = renderBrandedEmail(skyline!, {
      subject: 'Welcome',
      heading: 'Welcome <b>aboard</b>',
      paragraphs: ['Set your password to sign in.'],
      action: { label: 'Set password', url: 'https://portal.skyline.example/set?x="1"' },
    });
    expect(mail.html).toContain('Skyline Wireless');
    expect(mail.html).toContain('#1d4ed8');
    expect(mail.html).not.toContain('<b>aboard</b>');
    expect(mail.html).not.toMatch(/wisp-portal|platform/i);
    const key = randomBytes(8).toString('hex');
    const first = await outbox.queue({ tenantId: skyline!.id, to: 'New@Example.com', kind: 'welcome', dedupeKey: key, ...mail });
    const again = await outbox.queue({ tenantId: skyline!.id, to: 'new@example.com', kind: 'welcome', dedupeKey: key, ...mail });
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, email: { id: first.email.id } });
    expect(await outbox.list({ tenantId: skyline!.id, to: 'new@example.com' })).toHaveLength(1);
    expect(await tenants.get('000000000000000000000000')).toBeNull();
    expect(await tenants.get('not-an-id')).toBeNull();
  });
});
