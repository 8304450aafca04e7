import { error } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { sessionGraphql } from '$lib/server/session';
import { requireStaffSession, staffSignIn } from '$lib/server/staffGate';
import type { PageServerLoad } from './$types';

export interface AuditEntry {
  id: string;
  customerId: string;
  actorUid: string;
  actorRole: string;
  action: string;
  outcome: string;
  detail: string | null;
  at: string;
}

const AUDIT = `query Audit($after: String) { portalAccessAudit(first: 50, after: $after) {
  edges { node { id customerId actorUid actorRole action outcome detail at } }
  pageInfo { hasNextPage endCursor }
} }`;

/** The tenant's portal-access audit trail, newest first, rendered by the server; older entries are the next page (`?after=`). */
export const load: PageServerLoad = async ({ locals, url }) => {
  const session = requireStaffSession(locals.session, url);
  const after = url.searchParams.get('after');
  const r = await sessionGraphql<{ portalAccessAudit: { edges: { node: AuditEntry }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(session, AUDIT, {
    after: after && after.length <= 200 ? after : null,
  });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    if (r.code === 'BAD_USER_INPUT') return { entries: [] as AuditEntry[], next: null, after, loadError: r.detail };
    error(503, createTranslator(locals.lang).t('error.tryLater'));
  }
  const page = r.data.portalAccessAudit;
  return { entries: page.edges.map((e) => e.node), next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null, after, loadError: null };
};
