/** The demo WISPs, their people and their tickets. Ids are stable so seeding is idempotent. */
import { demoId, Role } from '@wisp/shared';

export const DEMO_PASSWORD_DEFAULT = 'demo-password';

const HOUR = 3_600_000;

export interface DemoCustomer {
  key: string;
  email?: string;
  name: string;
  accountNumber: string;
  phone: string;
  serviceAddress: string;
  site: string;
  sector: string;
  plan: { name: string; downMbps: number; upMbps: number; priceCents: number };
  equipment: { model: string; serial: string; mac: string; signalDbm: number };
}

export interface DemoTenant {
  slug: string;
  name: string;
  prefix: string;
  domains: string[];
  branding: {
    companyName: string;
    displayName: string;
    logoUrl: string;
    logoAlt: string;
    faviconUrl: string;
    colors: { primary: string; secondary: string; accent: string; background: string; text: string };
    supportEmail: string;
    supportPhone: string;
    supportHours: string;
    website: string;
    /** The billing system's payment page behind the portal's Pay link; unset: no Pay link. */
    paymentPageUrl?: string;
    welcomeMessage: string;
    footerText: string;
    timeZone: string;
    defaultLanguage: string;
  };
  customers: DemoCustomer[];
  outageSite: string;
}

const plan = (name: string, down: number, up: number, price: number) => ({ name, downMbps: down, upMbps: up, priceCents: price });

export const TENANTS: DemoTenant[] = [
  {
    slug: 'skyline',
    name: 'Skyline Wireless',
    prefix: 'SKY',
    domains: ['portal.skyline.example'],
    branding: {
      companyName: 'Skyline Wireless',
      displayName: 'Skyline Wireless Customer Portal',
      logoUrl: '/brand/skyline/logo.svg',
      logoAlt: 'Skyline Wireless',
      faviconUrl: '/brand/skyline/favicon.svg',
      colors: { primary: '#1d4ed8', secondary: '#0f766e', accent: '#0e7490', background: '#f3f7ff', text: '#0f172a' },
      supportEmail: 'support@skyline.example',
      supportPhone: '+1 555 0100',
      supportHours: 'Mon–Sat 8am–8pm',
      website: 'https://skyline.example',
      paymentPageUrl: 'https://pay.skyline.example/',
      welcomeMessage: 'Fast, reliable internet from the towers you can see.',
      footerText: '© Skyline Wireless · Serving the valley since 2009',
      timeZone: 'America/Denver',
      defaultLanguage: 'en',
    },
    outageSite: 'Ridge Tower',
    customers: [
      {
        key: 'alice', email: 'alice@skyline.example', name: 'Alice Nguyen', accountNumber: 'SKY-10001', phone: '+15550101001',
        serviceAddress: '12 Orchard Lane, Valley Springs', site: 'Ridge Tower', sector: 'A', plan: plan('Valley 100', 100, 20, 6900),
        equipment: { model: 'Ubiquiti LiteBeam 5AC', serial: 'LB5-88311', mac: '24:5A:4C:11:22:01', signalDbm: -58 },
      },
      {
        key: 'bob', email: 'bob@skyline.example', name: 'Bob Martinez', accountNumber: 'SKY-10002', phone: '+15550101002',
        serviceAddress: '48 Creek Road, Valley Springs', site: 'Ridge Tower', sector: 'B', plan: plan('Valley 50', 50, 10, 4900),
        equipment: { model: 'Ubiquiti LiteBeam 5AC', serial: 'LB5-88312', mac: '24:5A:4C:11:22:02', signalDbm: -63 },
      },
      {
        key: 'carol', email: 'carol@shared.example', name: 'Carol Whitfield', accountNumber: 'SKY-10003', phone: '+15550101003',
        serviceAddress: '3 Lakeshore Drive, Valley Springs', site: 'Lakeside Tower', sector: 'A', plan: plan('Valley 250', 250, 50, 9900),
        equipment: { model: 'Cambium ePMP Force 300', serial: 'CF3-10293', mac: '00:04:56:AA:10:03', signalDbm: -55 },
      },
      {
        key: 'dave', name: 'Dave Porter', accountNumber: 'SKY-10004', phone: '+15550101004',
        serviceAddress: '7 Summit Way, Valley Springs', site: 'Ridge Tower', sector: 'A', plan: plan('Valley 50', 50, 10, 4900),
        equipment: { model: 'Ubiquiti LiteBeam 5AC', serial: 'LB5-88313', mac: '24:5A:4C:11:22:04', signalDbm: -66 },
      },
    ],
  },
  {
    slug: 'prairie',
    name: 'Prairie Air Networks',
    prefix: 'PRA',
    domains: ['my.prairieair.example'],
    branding: {
      companyName: 'Prairie Air Networks',
      displayName: 'Prairie Air Networks',
      logoUrl: '/brand/prairie/logo.svg',
      logoAlt: 'Prairie Air Networks',
      faviconUrl: '/brand/prairie/favicon.svg',
      colors: { primary: '#166534', secondary: '#b45309', accent: '#a16207', background: '#fbf8ef', text: '#1c1917' },
      supportEmail: 'help@prairieair.example',
      supportPhone: '+1 555 0200',
      supportHours: 'Every day 7am–9pm',
      website: 'https://prairieair.example',
      welcomeMessage: 'Rural broadband, from neighbours who answer the phone.',
      footerText: 'Prairie Air Networks · Locally owned',
      timeZone: 'America/Chicago',
      defaultLanguage: 'en',
    },
    outageSite: 'North Silo',
    customers: [
      {
        key: 'alice', email: 'alice@prairie.example', name: 'Alice Johansson', accountNumber: 'PRA-20001', phone: '+15550202001',
        serviceAddress: 'RR 2 Box 14, Wheatfield', site: 'North Silo', sector: '1', plan: plan('Prairie 75', 75, 15, 5900),
        equipment: { model: 'Mikrotik LHG 5 ac', serial: 'MK-55021', mac: '48:8F:5A:20:01:01', signalDbm: -61 },
      },
      {
        key: 'bob', email: 'bob@prairie.example', name: 'Bob Okafor', accountNumber: 'PRA-20002', phone: '+15550202002',
        serviceAddress: 'RR 2 Box 31, Wheatfield', site: 'North Silo', sector: '2', plan: plan('Prairie 25', 25, 5, 3900),
        equipment: { model: 'Mikrotik LHG 5 ac', serial: 'MK-55022', mac: '48:8F:5A:20:01:02', signalDbm: -67 },
      },
      {
        key: 'carol', email: 'carol@shared.example', name: 'Carol Whitfield', accountNumber: 'PRA-20003', phone: '+15550202003',
        serviceAddress: '88 Grain Elevator Rd, Millbrook', site: 'Millbrook Water Tower', sector: '1', plan: plan('Prairie 150', 150, 30, 7900),
        equipment: { model: 'Cambium ePMP Force 180', serial: 'CF1-44810', mac: '00:04:56:BB:20:03', signalDbm: -59 },
      },
      {
        key: 'erin', name: 'Erin Blackfeather', accountNumber: 'PRA-20004', phone: '+15550202004',
        serviceAddress: 'RR 1 Box 2, Wheatfield', site: 'North Silo', sector: '1', plan: plan('Prairie 75', 75, 15, 5900),
        equipment: { model: 'Mikrotik LHG 5 ac', serial: 'MK-55023', mac: '48:8F:5A:20:01:04', signalDbm: -70 },
      },
    ],
  },
];

export const tenantId = (slug: string) => demoId(`tenant:${slug}`);
export const customerId = (slug: string, key: string) => demoId(`customer:${slug}:${key}`);
/** Demo tickets and messages carry times after this one, in the order they are listed. */
const DEMO_EPOCH = Date.parse('2026-11-01T09:00:00Z');
export const workOrderId = (slug: string, n: number) => demoId(`work-order:${slug}:${n}`, new Date(DEMO_EPOCH + (n - 1000) * HOUR));
export const messageId = (slug: string, n: number, i: number) =>
  demoId(`message:${slug}:${n}:${i}`, new Date(DEMO_EPOCH + (n - 1000) * HOUR + (i + 1) * 10 * 60_000));

/** A Firebase login of the demo; `tenant` null for the platform operator. */
export interface DemoLogin {
  email: string;
  displayName: string;
  tenant: string | null;
  role: Role;
  customerKey?: string;
  /** Accounts a customer login is linked to besides (or instead of) one it holds. */
  links?: { customerKey: string; role: 'MEMBER' | 'MANAGER' }[];
}

export function demoLogins(): DemoLogin[] {
  const logins: DemoLogin[] = [{ email: 'ops@platform.example', displayName: 'Platform Operations', tenant: null, role: Role.PLATFORM_OPERATOR }];
  for (const t of TENANTS) {
    logins.push(
      { email: `admin@${t.slug}.example`, displayName: `${t.name} Admin`, tenant: t.slug, role: Role.TENANT_ADMIN },
      { email: `agent@${t.slug}.example`, displayName: `${t.name} Support`, tenant: t.slug, role: Role.AGENT },
    );
    for (const c of t.customers) {
      if (c.email) logins.push({ email: c.email, displayName: c.name, tenant: t.slug, role: Role.CUSTOMER, customerKey: c.key });
    }
    if (t.slug === 'skyline') {
      // A household member of Alice's account, and a property manager of two rented homes.
      logins.push(
        { email: 'sam@skyline.example', displayName: 'Sam Nguyen', tenant: t.slug, role: Role.CUSTOMER, links: [{ customerKey: 'alice', role: 'MEMBER' }] },
        { email: 'pat@skyline.example', displayName: 'Pat Lindqvist (Lakeside Rentals)', tenant: t.slug, role: Role.CUSTOMER, links: [{ customerKey: 'bob', role: 'MANAGER' }, { customerKey: 'dave', role: 'MANAGER' }] },
      );
    }
  }
  return logins;
}

export interface DemoWorkOrder {
  n: number;
  title: string;
  description: string;
  category: string;
  type: string;
  priority: string;
  status: string;
  reporter?: string;
  affected?: string[];
  site?: string;
  etaInMs?: number;
  messages: { kind: 'CUSTOMER' | 'AGENT' | 'SYSTEM'; body: string; internal?: boolean }[];
}

export function demoWorkOrders(t: DemoTenant): DemoWorkOrder[] {
  const onOutageSite = t.customers.filter((c) => c.site === t.outageSite).map((c) => c.key);
  return [
    {
      n: 1001, title: 'Slow speeds every evening', description: 'Speed tests drop below 10 Mbps between 7 and 10pm.',
      category: 'SLOW_SPEED', type: 'SUPPORT', priority: 'MEDIUM', status: 'IN_PROGRESS', reporter: 'alice',
      messages: [
        { kind: 'CUSTOMER', body: 'Since last week my evening speeds are terrible. Daytime is fine.' },
        { kind: 'AGENT', body: 'Thanks — we can see congestion on your sector. We are moving you to a quieter channel today.' },
        { kind: 'AGENT', body: 'Sector is oversubscribed; schedule the AP swap before promising more.', internal: true },
        { kind: 'SYSTEM', body: 'Status changed from Open to In progress.' },
      ],
    },
    {
      n: 1002, title: 'Router keeps rebooting', description: 'The indoor router restarts several times a day.',
      category: 'EQUIPMENT', type: 'SUPPORT', priority: 'LOW', status: 'OPEN', reporter: 'bob',
      messages: [{ kind: 'CUSTOMER', body: 'It reboots every few hours, usually when we stream.' }],
    },
    {
      n: 1003, title: `${t.outageSite} outage`, description: `Equipment failure at ${t.outageSite}; a crew is on the way.`,
      category: 'NO_SERVICE', type: 'OUTAGE', priority: 'URGENT', status: 'IN_PROGRESS', affected: onOutageSite, site: t.outageSite,
      etaInMs: 3 * HOUR,
      messages: [
        { kind: 'AGENT', body: `We know about the outage at ${t.outageSite}. A technician is on the way.` },
        { kind: 'AGENT', body: 'Radio 2 power supply failed; spare is in truck 4.', internal: true },
      ],
    },
    {
      n: 1004, title: 'Question about my bill', description: 'I was charged twice this month.',
      category: 'BILLING', type: 'SUPPORT', priority: 'MEDIUM', status: 'WAITING_ON_CUSTOMER', reporter: 'carol',
      messages: [
        { kind: 'CUSTOMER', body: 'I see two charges on the 1st.' },
        { kind: 'AGENT', body: 'Could you send the last four digits of the card that was charged?' },
      ],
    },
  ];
}

/** Each demo WISP's support page: FAQ entries (limited Markdown answers) and a contact block. */
export const DEMO_SUPPORT: Record<string, { faq: { question: string; answer: string }[]; contact: string }> = {
  skyline: {
    faq: [
      { question: 'My connection is slow in the evening. What can I do?', answer: 'Run a speed test with a cable plugged into the router, then **open a ticket** with the result. Evening slow-downs on one sector are usually fixed by a channel change.' },
      { question: 'How do I restart my equipment?', answer: '1. Unplug the power injector for 30 seconds.\n2. Plug it back in and wait two minutes.\n3. Restart your router.' },
      { question: 'When is my bill due?', answer: 'On the 1st of each month. Questions? Write to [support@skyline.example](mailto:support@skyline.example).' },
    ],
    contact: '**Skyline Wireless support**\nPhone: [+1 555 0100](tel:+15550100)\nEmail: [support@skyline.example](mailto:support@skyline.example)\n\nFor outages after hours, call and choose option 1.',
  },
  prairie: {
    faq: [
      { question: 'Is there an outage in my area?', answer: 'Outages on your tower appear on your dashboard as soon as we know about them, with an estimated time to restore.' },
      { question: 'Can I move my service to a new address?', answer: 'Usually, if the new address can see one of our towers. Call us and we will book a *free* site survey.' },
    ],
    contact: '**Prairie Air Networks**\nCall or text [+1 555 0200](tel:+15550200), every day 7am–9pm.\nEmail [help@prairieair.example](mailto:help@prairieair.example).',
  },
};

/** A demo customer's billing documents, as a billing integration would have pushed them. */
export interface DemoBilling {
  balance: { balanceCents: number; currency: string; dueDate: string | null };
  invoices: { id: string; number: string; issuedAt: Date; dueDate: string; amountCents: number; currency: string; status: 'OPEN' | 'PAID'; url: string | null; withPdf: boolean }[];
  payments: { id: string; reference: string; paidAt: Date; amountCents: number; currency: string; method: string }[];
}

/**
 * Three monthly invoices at the plan's price, issued on the 1st of this month and the two before
 * (09:00 UTC): the older two paid by card on the 5th, this month's open and due on the 15th. This
 * month's has a stored PDF; the older ones link to the billing system.
 */
export function demoBilling(t: DemoTenant, c: DemoCustomer, now = new Date()): DemoBilling {
  const months = [2, 1, 0].map((back) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1, 9)));
  const ymd = (d: Date, day: number) => `${d.toISOString().slice(0, 8)}${String(day).padStart(2, '0')}`;
  const invoices = months.map((m, i) => {
    const number = `${t.prefix}-${m.toISOString().slice(0, 7).replace('-', '')}-${c.accountNumber.slice(-5)}`;
    const current = i === months.length - 1;
    return {
      id: demoId(`invoice:${t.slug}:${c.key}:${number}`, m),
      number,
      issuedAt: m,
      dueDate: ymd(m, 15),
      amountCents: c.plan.priceCents,
      currency: 'USD',
      status: current ? ('OPEN' as const) : ('PAID' as const),
      url: current ? null : `https://billing.${t.slug}.example/invoices/${number}`,
      withPdf: current,
    };
  });
  const payments = invoices
    .filter((inv) => inv.status === 'PAID')
    .map((inv) => {
      const paidAt = new Date(inv.issuedAt.getTime() + 4 * 24 * HOUR + 6 * HOUR);
      return { id: demoId(`payment:${t.slug}:${c.key}:${inv.number}`, paidAt), reference: `PAY-${inv.number}`, paidAt, amountCents: inv.amountCents, currency: 'USD', method: 'Card' };
    });
  const open = invoices.at(-1)!;
  return { balance: { balanceCents: open.amountCents, currency: 'USD', dueDate: open.dueDate }, invoices, payments };
}
