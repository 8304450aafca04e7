import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderBrandedEmail } from './brandedEmail.ts';
import { openOutbox, type Outbox } from './outbox.ts';
import { openTenantDirectory, type TenantDirectory } from './tenantDirectory.ts';
import { demoId } from './demoIds.ts';

describe('the outbox and tenant directory', () => {
  let outbox: Outbox;
  let tenants: TenantDirectory;
  beforeAll(async () => {
    outbox = await openOutbox({ uri: inject('mongoUri'), dbPrefix: `ob_${randomBytes(4).toString('hex')}` });
    tenants = await openTenantDirectory({ uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
  });
  afterAll(async () => {
    await outbox.close();
    await tenants.close();
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
