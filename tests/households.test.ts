/**
 * Households and property managers: an account holder invites a person of their household, who
 * then sees and opens tickets for that account and nothing else; staff link a property manager to
 * several accounts, who switches between them and lists each one's tickets. Every isolation rule
 * holds per account: a login acting for an account it is not linked to gets NOT_FOUND, and a
 * removed person loses the account on their next request.
 */
import { openEventLog } from '@wisp/events';
import { codes, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { admin, agent, api, confirmPasswordReset, createCustomer, eventually, mailTo, newCustomer, oobCodeOf, OUTBOX, passwordSignIn, unique } from './portalAccounts.ts';

const url = inject('gatewayUrl');

/** The gateway as a login acting for one of its accounts (the portal's account switcher sends the header). */
const as = (token: string, account?: string) => (query: string, variables: Record<string, unknown> = {}) =>
  gql(url, query, variables, { token, headers: account ? { 'x-wisp-account': account } : {} });

const VIEWER = `{ viewer { customer { id name } accounts { role active customer { id name } } } }`;
const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number customer { id } } }`;
const TICKETS = `query($id: ID!) { customer(id: $id) { id tickets(first: 50) { edges { node { id title } } } } }`;
const PEOPLE = `query($id: ID!) { customer(id: $id) { people { uid email name role lastSignInAt } } }`;
const INVITE = `mutation($input: InviteHouseholdMemberInput!) { inviteHouseholdMember(input: $input) { uid email name role since } }`;
const REMOVE = `mutation($c: ID!, $u: ID!) { removeAccountPerson(customerId: $c, uid: $u) { ok } }`;
const LINK_MANAGER = `mutation($input: LinkPropertyManagerInput!) { linkPropertyManager(input: $input) { uid email linkedCount people { role } } }`;

/** A new customer with a working login: created by staff, password set from the welcome email. */
async function holder() {
  const email = `holder-${unique()}@example.com`;
  const customer = await createCustomer(await agent(), newCustomer('SKY', email));
  const { oobCode } = oobCodeOf((await mailTo(email, 'portal-welcome')).text);
  const password = `pw-${unique()}-${unique()}`;
  expect(await confirmPasswordReset(oobCode, password, 'skyline')).toEqual({ ok: true });
  const signedIn = await passwordSignIn(email, password, 'skyline');
  return { id: customer.id as string, email, token: signedIn.token!, uid: signedIn.uid! };
}

/** Takes an invited person through their emailed set-password link to a token. */
async function acceptInvite(email: string) {
  const mail = await mailTo(email, 'account-access');
  const { oobCode } = oobCodeOf(mail.text);
  const password = `pw-${unique()}-${unique()}`;
  expect(await confirmPasswordReset(oobCode, password, 'skyline')).toEqual({ ok: true });
  const signedIn = await passwordSignIn(email, password, 'skyline');
  expect(signedIn.error).toBeUndefined();
  return { token: signedIn.token!, uid: signedIn.uid!, mail };
}

async function linkEvents(customerId: string) {
  const log = await openEventLog({ uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
  try {
    const out = [];
    for (let after = 0; ; ) {
      const { events } = await log.readAfter(after, 2000);
      if (!events.length) return out;
      out.push(...events.filter((e) => e.entityId === customerId && e.type === 'accountLink.changed'));
      after = events.at(-1)!.seq;
    }
  } finally {
    await log.close();
  }
}

let home: Awaited<ReturnType<typeof holder>>;
let neighbour: Awaited<ReturnType<typeof holder>>;
let member: { token: string; uid: string };
const memberEmail = `member-${unique()}@example.com`;

beforeAll(async () => {
  [home, neighbour] = await Promise.all([holder(), holder()]);
  const invited = await as(home.token)(INVITE, { input: { email: memberEmail.toUpperCase(), name: 'Sam Household' } });
  expect(invited.errors, JSON.stringify(invited.errors)).toBeUndefined();
  expect(invited.data!.inviteHouseholdMember).toMatchObject({ email: memberEmail, name: 'Sam Household', role: 'MEMBER' });
  member = await acceptInvite(memberEmail);
  expect(member.uid).toBe(invited.data!.inviteHouseholdMember.uid);
});

describe('a household member', () => {
  it('acts for the account they were invited to and sees it among their accounts', async () => {
    const r = await as(member.token)(VIEWER);
    expect(r.errors).toBeUndefined();
    expect(r.data!.viewer.customer.id).toBe(home.id);
    expect(r.data!.viewer.accounts).toEqual([{ role: 'MEMBER', active: true, customer: { id: home.id, name: expect.any(String) } }]);
  });

  it('opens a ticket for the account that the holder sees, and sees the holder\'s tickets', async () => {
    const mine = await as(member.token)(OPEN, { input: { title: `Member ticket ${unique()}`, description: 'The kitchen access point drops.', category: 'INTERMITTENT', clientMutationId: `m-${unique()}` } });
    expect(mine.errors, JSON.stringify(mine.errors)).toBeUndefined();
    expect(mine.data!.openTicket.customer.id).toBe(home.id);
    const theirs = await as(home.token)(OPEN, { input: { title: `Holder ticket ${unique()}`, description: 'Slow evenings.', category: 'INTERMITTENT', clientMutationId: `h-${unique()}` } });
    expect(theirs.errors).toBeUndefined();
    for (const token of [home.token, member.token]) {
      const list = await as(token)(TICKETS, { id: home.id });
      const ids = list.data!.customer.tickets.edges.map((e: { node: { id: string } }) => e.node.id);
      expect(ids).toEqual(expect.arrayContaining([mine.data!.openTicket.id, theirs.data!.openTicket.id]));
    }
    const read = await as(member.token)(`query($id: ID!) { workOrder(id: $id) { id title } }`, { id: theirs.data!.openTicket.id });
    expect(read.data!.workOrder?.id).toBe(theirs.data!.openTicket.id);
  });

  it('is confined to that account: another account is NOT_FOUND however it is named', async () => {
    const other = await as(neighbour.token)(OPEN, { input: { title: 'Neighbour only', description: 'Private.', category: 'INTERMITTENT', clientMutationId: `n-${unique()}` } });
    expect(other.errors).toBeUndefined();
    const acting = await as(member.token, neighbour.id)(VIEWER);
    expect(codes(acting)).toContain('NOT_FOUND');
    expect(acting.data ?? null).toBeNull();
    const record = await as(member.token)(`query($id: ID!) { customer(id: $id) { id name } }`, { id: neighbour.id });
    expect(codes(record)).toContain('NOT_FOUND');
    const ticket = await as(member.token)(`query($id: ID!) { workOrder(id: $id) { id } }`, { id: other.data!.openTicket.id });
    expect(ticket.data!.workOrder).toBeNull();
    const people = await as(member.token)(REMOVE, { c: neighbour.id, u: neighbour.uid });
    expect(codes(people)).toContain('NOT_FOUND');
  });

  it("neither reads the account's bills nor changes its settings or household", async () => {
    const bills = await as(member.token)(`{ viewer { customer { billing { balanceCents } } } }`);
    expect(codes(bills)).toContain('FORBIDDEN');
    const contact = await as(member.token)(`mutation { updateMyContact(input: { phone: "+15550100200" }) { ok } }`);
    expect(codes(contact)).toContain('FORBIDDEN');
    const prefs = await as(member.token)(`mutation { updateMyNotificationPreferences(input: { language: "es" }) { ok } }`);
    expect(codes(prefs)).toContain('FORBIDDEN');
    const invite = await as(member.token)(INVITE, { input: { email: `friend-${unique()}@example.com` } });
    expect(codes(invite)).toContain('FORBIDDEN');
    const people = await as(member.token)(PEOPLE, { id: home.id });
    expect(people.data!.customer.people).toBeNull();
  });

  it("is listed for the holder and for staff, and the holder's record keeps its own login", async () => {
    for (const token of [home.token, await agent()]) {
      const r = await as(token)(PEOPLE, { id: home.id });
      expect(r.errors).toBeUndefined();
      const people = r.data!.customer.people as { uid: string; role: string; email: string }[];
      expect(people.map((p) => [p.role, p.email])).toEqual([
        ['OWNER', home.email],
        ['MEMBER', memberEmail],
      ]);
    }
    const own = await as(home.token)(VIEWER);
    expect(own.data!.viewer.accounts).toEqual([{ role: 'OWNER', active: true, customer: { id: home.id, name: expect.any(String) } }]);
  });

  it('inviting the same person again changes nothing and sends no second email', async () => {
    const again = await as(home.token)(INVITE, { input: { email: memberEmail } });
    expect(again.data!.inviteHouseholdMember.uid).toBe(member.uid);
    const mails = await api(OUTBOX, { to: memberEmail }, await agent());
    expect(mails.data!.outboxEmails.filter((m: { kind: string }) => m.kind === 'account-access')).toHaveLength(1);
  });

  it('bad invitations get coded errors', async () => {
    const bad = await as(home.token)(INVITE, { input: { email: 'not an email' } });
    expect(codes(bad)).toContain('BAD_USER_INPUT');
    const self = await as(home.token)(INVITE, { input: { email: home.email } });
    expect(codes(self)).toContain('BAD_USER_INPUT');
    const staff = await as(home.token)(INVITE, { input: { email: 'agent@skyline.example' } });
    expect(codes(staff)).toContain('BAD_USER_INPUT');
    const anonymous = await gql(url, INVITE, { input: { email: `x-${unique()}@example.com` } });
    expect(codes(anonymous)).toContain('UNAUTHENTICATED');
  });
});

describe('a property manager', () => {
  const managerEmail = `manager-${unique()}@example.com`;
  let manager: { token: string; uid: string };

  beforeAll(async () => {
    const linked = await as(await agent())(LINK_MANAGER, { input: { email: managerEmail, name: 'Pat Properties', customerIds: [home.id, neighbour.id] } });
    expect(linked.errors, JSON.stringify(linked.errors)).toBeUndefined();
    expect(linked.data!.linkPropertyManager).toMatchObject({ email: managerEmail, linkedCount: 2, people: [{ role: 'MANAGER' }, { role: 'MANAGER' }] });
    manager = await acceptInvite(managerEmail);
  });

  it('switches between the linked accounts and lists every account with its tickets in one request', async () => {
    const first = await as(manager.token)(VIEWER);
    const listed = (r: typeof first) => r.data!.viewer.accounts.map((a: { role: string; customer: { id: string } }) => [a.role, a.customer.id]);
    // Both were linked in one request: the order between them is the link order, and it stays put.
    expect([...listed(first)].sort()).toEqual([['MANAGER', home.id], ['MANAGER', neighbour.id]].sort());
    expect(listed(await as(manager.token)(VIEWER))).toEqual(listed(first));
    const switched = await as(manager.token, neighbour.id)(VIEWER);
    expect(switched.data!.viewer.customer.id).toBe(neighbour.id);
    expect(switched.data!.viewer.accounts.find((a: { active: boolean }) => a.active).customer.id).toBe(neighbour.id);
    const combined = await as(manager.token)(`{ viewer { accounts { customer { id tickets(first: 20) { edges { node { title } } } } } } }`);
    expect(combined.errors).toBeUndefined();
    const titles = combined.data!.viewer.accounts.map((a: { customer: { tickets: { edges: { node: { title: string } }[] } } }) => a.customer.tickets.edges.map((e) => e.node.title));
    expect(titles[1]).toContain('Neighbour only');
    expect(titles[0]).not.toContain('Neighbour only');
  });

  it('acts for the chosen account: a ticket opened there is that account\'s, and its bills are readable', async () => {
    const opened = await as(manager.token, neighbour.id)(OPEN, { input: { title: 'Unit 4 is offline', description: 'Tenant reports no link.', category: 'INTERMITTENT', clientMutationId: `pm-${unique()}` } });
    expect(opened.data!.openTicket.customer.id).toBe(neighbour.id);
    const bills = await as(manager.token, neighbour.id)(`{ viewer { customer { billing { balanceCents } } } }`);
    expect(bills.errors).toBeUndefined();
    const household = await as(manager.token)(PEOPLE, { id: home.id });
    expect(household.data!.customer.people.map((p: { role: string }) => p.role)).toEqual(['OWNER', 'MEMBER', 'MANAGER']);
  });

  it('linking again changes nothing; another tenant cannot link this tenant\'s accounts; customers cannot link managers', async () => {
    const again = await as(await agent())(LINK_MANAGER, { input: { email: managerEmail, customerIds: [home.id] } });
    expect(again.data!.linkPropertyManager.linkedCount).toBe(0);
    const foreign = await as(await admin('prairie'))(LINK_MANAGER, { input: { email: `pm-${unique()}@example.com`, customerIds: [home.id] } });
    expect(codes(foreign)).toContain('NOT_FOUND');
    const byCustomer = await as(home.token)(LINK_MANAGER, { input: { email: `pm-${unique()}@example.com`, customerIds: [home.id] } });
    expect(codes(byCustomer)).toContain('FORBIDDEN');
    const none = await as(await agent())(LINK_MANAGER, { input: { email: `pm-${unique()}@example.com`, customerIds: [] } });
    expect(codes(none)).toContain('BAD_USER_INPUT');
  });

  it('the holder cannot remove the manager staff linked, staff can, and the manager loses only that account', async () => {
    const byHolder = await as(home.token)(REMOVE, { c: home.id, u: manager.uid });
    expect(codes(byHolder)).toContain('FORBIDDEN');
    const byStaff = await as(await agent())(REMOVE, { c: home.id, u: manager.uid });
    expect(byStaff.data!.removeAccountPerson.ok).toBe(true);
    const after = await as(manager.token)(VIEWER);
    expect(after.data!.viewer.accounts.map((a: { customer: { id: string } }) => a.customer.id)).toEqual([neighbour.id]);
    expect(codes(await as(manager.token, home.id)(VIEWER))).toContain('NOT_FOUND');
  });
});

describe('a ticket naming a person as its contact', () => {
  it("is readable by that person's login (when its email is confirmed), listed for them, and theirs to read only", async () => {
    const staff = await agent();
    const opened = await as(staff)(OPEN, { input: { title: `For the landlord ${unique()}`, description: 'Roof unit needs a look.', category: 'EQUIPMENT', customerId: neighbour.id, contactEmail: home.email.toUpperCase(), clientMutationId: `c-${unique()}` } });
    expect(opened.errors, JSON.stringify(opened.errors)).toBeUndefined();
    const id = opened.data!.openTicket.id;
    const reply = await as(staff)(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: id, body: 'We will come on Tuesday.', clientMutationId: `r-${unique()}` } });
    expect(reply.errors).toBeUndefined();
    const note = await as(staff)(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: id, body: 'Staff only: key under the mat.', internal: true, clientMutationId: `n-${unique()}` } });
    expect(note.errors).toBeUndefined();

    const READ = `query($id: ID!) { workOrder(id: $id) { id title customer { id } messages(first: 10) { edges { node { body } } } } }`;
    const read = await eventually(async () => {
      const r = await as(home.token)(READ, { id });
      return r.data?.workOrder?.messages.edges.length ? r : null;
    });
    expect(read.data!.workOrder).toMatchObject({ id, customer: null });
    expect(read.data!.workOrder.messages.edges.map((e: { node: { body: string } }) => e.node.body)).toEqual(['We will come on Tuesday.']);
    const listed = await as(home.token)(`{ contactTickets(first: 10) { edges { node { id } } } }`);
    expect(listed.data!.contactTickets.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);

    const post = await as(home.token)(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: id, body: 'Thanks', clientMutationId: `p-${unique()}` } });
    expect(codes(post)).toContain('NOT_FOUND');
    const cancel = await as(home.token)(`mutation($id: ID!) { cancelTicket(id: $id) { id } }`, { id });
    expect(codes(cancel)).toContain('NOT_FOUND');
    // Someone else of the tenant is not named: nothing.
    const other = await as(member.token)(READ, { id });
    expect(other.data?.workOrder ?? null).toBeNull();
  });
});

describe('account emails', () => {
  it("are written in the customer's language", async () => {
    const es = await as(home.token)(`mutation { updateMyNotificationPreferences(input: { language: "es" }) { ok } }`);
    expect(es.errors).toBeUndefined();
    const sent = await as(await agent())(`mutation($id: ID!) { sendPortalPasswordReset(customerId: $id) { ok message } }`, { id: home.id });
    expect(sent.data!.sendPortalPasswordReset).toMatchObject({ ok: true });
    const mail = await mailTo(home.email, 'password-reset');
    expect(mail.subject).toMatch(/^Restablezca su contraseña del portal de /);
    expect(mail.text).toContain('Elegir una contraseña nueva');
  });
});

describe('removing a household member', () => {
  it('ends their access on the next request, and the account records each change as an event', async () => {
    const removed = await as(home.token)(REMOVE, { c: home.id, u: member.uid });
    expect(removed.errors, JSON.stringify(removed.errors)).toBeUndefined();
    const after = await as(member.token)(VIEWER);
    expect(codes(after)).toContain('UNAUTHENTICATED');
    const again = await as(home.token)(REMOVE, { c: home.id, u: member.uid });
    expect(codes(again)).toContain('NOT_FOUND');
    const events = await eventually(async () => {
      const list = await linkEvents(home.id);
      return list.length >= 4 ? list : null;
    });
    expect(events.map((e) => [e.payload.action, e.payload.role])).toEqual([
      ['LINKED', 'MEMBER'],
      ['LINKED', 'MANAGER'],
      ['UNLINKED', 'MANAGER'],
      ['UNLINKED', 'MEMBER'],
    ]);
  });
});
