/** Staff updates to customer records, install history, and what integrators may and may not do. */
import { codes } from '@wisp/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, agent, api, CREATE, createCustomer, newCustomer, unique } from './portalAccounts.ts';

const UPDATE = `mutation ($id: ID!, $input: UpdateCustomerInput!) {
  updateCustomer(id: $id, input: $input) { ok errors { field message } customer { id accountNumber name email phone site serviceStatus plan { name } equipment { model mac } installHistory { kind note technician at } } }
}`;

let integrator: string;
beforeAll(async () => {
  // An integration's API key, made the way an administrator would.
  const r = await api(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name: `Billing ${unique()}`, scopes: ['customers:read', 'customers:write'] } }, await admin());
  integrator = r.data!.createApiKey.secret;
});

describe('updating customers', () => {
  it('changes fields, clears optional ones, appends install history and keeps account numbers unique', async () => {
    const token = await agent();
    const c = await createCustomer(token, newCustomer('SKY', null));
    const r = await api(
      UPDATE,
      {
        id: c.id,
        input: {
          name: 'Renamed Person',
          site: '',
          serviceStatus: 'SUSPENDED',
          equipment: [{ model: 'Cambium ePMP Force 300', mac: '00:04:56:aa:10:99' }],
          installNote: { kind: 'Realignment', note: 'Dish re-aimed at Ridge Tower', technician: 'Sam' },
        },
      },
      token,
    );
    expect(r.data?.updateCustomer).toMatchObject({
      ok: true,
      customer: { name: 'Renamed Person', site: null, serviceStatus: 'SUSPENDED', equipment: [{ model: 'Cambium ePMP Force 300', mac: '00:04:56:AA:10:99' }], installHistory: [{ kind: 'Realignment', technician: 'Sam' }] },
    });
    const dup = await api(UPDATE, { id: c.id, input: { accountNumber: 'SKY-10001' } }, token);
    expect(dup.data?.updateCustomer).toMatchObject({ ok: false, errors: [{ field: 'accountNumber' }] });
    const bad = await api(UPDATE, { id: c.id, input: { email: 'nope', equipment: [{ model: 'X', mac: 'not-a-mac' }] } }, token);
    expect(bad.data?.updateCustomer.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'equipment.0.mac']);
    // The failed updates changed nothing.
    const after = await api(`query ($id: ID!) { customer(id: $id) { accountNumber email equipment { mac } } }`, { id: c.id }, token);
    expect(after.data?.customer).toEqual({ accountNumber: c.accountNumber, email: null, equipment: [{ mac: '00:04:56:AA:10:99' }] });
    expect(codes(await api(UPDATE, { id: 'not-an-id', input: { name: 'x' } }, token))).toEqual(['NOT_FOUND']);
  });
});

describe('integrators', () => {
  it('create, update and search records, but do not manage logins or read the audit trail', async () => {
    const input = newCustomer('SKY', null);
    const created = await api(CREATE, { input }, integrator);
    expect(created.data?.createCustomer.ok).toBe(true);
    const id = created.data?.createCustomer.customer.id as string;
    expect((await api(UPDATE, { id, input: { phone: '+15550109999' } }, integrator)).data?.updateCustomer.ok).toBe(true);
    const found = await api(`query ($s: String) { customers(search: $s) { edges { node { id } } } }`, { s: input.accountNumber }, integrator);
    expect(found.data?.customers.edges).toEqual([{ node: { id } }]);
    expect(codes(await api(`mutation ($id: ID!) { revokePortalAccess(customerId: $id) { ok } }`, { id }, integrator))).toEqual(['FORBIDDEN']);
    expect(codes(await api(`{ portalAccessAudit { edges { node { id } } } }`, {}, integrator))).toEqual(['FORBIDDEN']);
    expect(codes(await api(`{ outboxEmails { id } }`, {}, integrator))).toEqual(['FORBIDDEN']);
  });
});
