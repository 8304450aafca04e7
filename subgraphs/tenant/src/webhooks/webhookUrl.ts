import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Which receivers a webhook may be sent to. The platform runs inside someone's network: a URL
 * naming (or resolving to) a private, loopback, link-local or metadata address would let a tenant
 * make the platform call its neighbours. Checked when an endpoint is saved and again before every
 * attempt, on the addresses the attempt then connects to (a name may resolve elsewhere later).
 */
export type UrlRefusal =
  | 'BAD_URL'
  | 'SCHEME'
  | 'HTTPS_REQUIRED'
  | 'UNRESOLVABLE'
  | 'LOOPBACK'
  | 'PRIVATE'
  | 'LINK_LOCAL'
  | 'METADATA'
  | 'UNIQUE_LOCAL'
  | 'CGNAT'
  | 'UNSPECIFIED'
  | 'RESERVED';

export type UrlCheck = { ok: true; url: URL; addresses: { address: string; family: 4 | 6 }[] } | { ok: false; reason: UrlRefusal; message: string };

const ranges: [UrlRefusal, string, number, 'ipv4' | 'ipv6'][] = [
  ['METADATA', '169.254.169.254', 32, 'ipv4'],
  ['METADATA', 'fd00:ec2::254', 128, 'ipv6'],
  ['UNSPECIFIED', '0.0.0.0', 8, 'ipv4'],
  ['PRIVATE', '10.0.0.0', 8, 'ipv4'],
  ['CGNAT', '100.64.0.0', 10, 'ipv4'],
  ['LOOPBACK', '127.0.0.0', 8, 'ipv4'],
  ['LINK_LOCAL', '169.254.0.0', 16, 'ipv4'],
  ['PRIVATE', '172.16.0.0', 12, 'ipv4'],
  ['RESERVED', '192.0.0.0', 24, 'ipv4'],
  ['RESERVED', '192.0.2.0', 24, 'ipv4'],
  ['PRIVATE', '192.168.0.0', 16, 'ipv4'],
  ['RESERVED', '198.18.0.0', 15, 'ipv4'],
  ['RESERVED', '198.51.100.0', 24, 'ipv4'],
  ['RESERVED', '203.0.113.0', 24, 'ipv4'],
  // Multicast, the old class E and broadcast.
  ['RESERVED', '224.0.0.0', 3, 'ipv4'],
  ['UNSPECIFIED', '::', 128, 'ipv6'],
  ['LOOPBACK', '::1', 128, 'ipv6'],
  ['LINK_LOCAL', 'fe80::', 10, 'ipv6'],
  ['UNIQUE_LOCAL', 'fc00::', 7, 'ipv6'],
  ['RESERVED', 'ff00::', 8, 'ipv6'],
  ['RESERVED', '2001:db8::', 32, 'ipv6'],
  ['RESERVED', '100::', 64, 'ipv6'],
];
const lists = new Map<UrlRefusal, BlockList>();
for (const [reason, net, prefix, type] of ranges) {
  const list = lists.get(reason) ?? new BlockList();
  list.addSubnet(net, prefix, type);
  lists.set(reason, list);
}
// Most specific first: the metadata address is also link-local, and saying so is clearer.
const ORDER: UrlRefusal[] = ['METADATA', 'LOOPBACK', 'UNSPECIFIED', 'PRIVATE', 'CGNAT', 'LINK_LOCAL', 'UNIQUE_LOCAL', 'RESERVED'];

/** The IPv4 address an IPv6 one carries (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`), if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why an address may not receive webhooks, or null when it is a public one. */
export function refusedAddress(address: string, allowLoopback: boolean): UrlRefusal | null {
  const v4 = isIP(address) === 6 ? embeddedIpv4(address) : null;
  const [addr, type] = v4 ? [v4, 'ipv4' as const] : [address, isIP(address) === 4 ? ('ipv4' as const) : ('ipv6' as const)];
  for (const reason of ORDER) {
    if (!lists.get(reason)!.check(addr, type)) continue;
    if (reason === 'LOOPBACK' && allowLoopback) return null;
    return reason;
  }
  return null;
}

const MESSAGES: Record<UrlRefusal, string> = {
  BAD_URL: 'The URL is not a valid absolute URL.',
  SCHEME: 'Webhook URLs are http(s) only.',
  HTTPS_REQUIRED: 'Webhook URLs must use https.',
  UNRESOLVABLE: 'The URL\'s host name does not resolve.',
  LOOPBACK: 'The URL points at a loopback address (this machine).',
  PRIVATE: 'The URL points at a private network address.',
  LINK_LOCAL: 'The URL points at a link-local address.',
  METADATA: 'The URL points at a cloud metadata address.',
  UNIQUE_LOCAL: 'The URL points at a unique-local (private) IPv6 address.',
  CGNAT: 'The URL points at a carrier-grade NAT address (100.64.0.0/10).',
  UNSPECIFIED: 'The URL points at an unspecified address (0.0.0.0 or ::).',
  RESERVED: 'The URL points at a reserved, documentation or multicast address.',
};

const refuse = (reason: UrlRefusal): UrlCheck => ({ ok: false, reason, message: MESSAGES[reason] });

/** Names that are the metadata service whatever they resolve to. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

/**
 * Whether `raw` may receive webhooks: an absolute http(s) URL (https unless `allowLoopback`) whose
 * host is, or resolves only to, public addresses (with `allowLoopback`, loopback ones too). Every
 * address the name resolves to must pass: an attacker's name with one public and one private
 * address is refused. The addresses returned are the ones to connect to.
 */
export async function checkWebhookUrl(raw: string, { allowLoopback }: { allowLoopback: boolean }, resolve: (host: string) => Promise<{ address: string; family: number }[]> = (h) => lookup(h, { all: true, verbatim: true })): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('BAD_URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('SCHEME');
  if (url.protocol === 'http:' && !allowLoopback) return refuse('HTTPS_REQUIRED');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  if (!host) return refuse('BAD_URL');
  if (METADATA_NAMES.has(host)) return refuse('METADATA');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return refuse('UNRESOLVABLE');
    }
  }
  if (!addresses.length) return refuse('UNRESOLVABLE');
  for (const { address } of addresses) {
    const reason = refusedAddress(address, allowLoopback);
    if (reason) return refuse(reason);
  }
  return { ok: true, url, addresses: addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })) };
}
