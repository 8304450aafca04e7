import { fail, type ActionFailure } from '@sveltejs/kit';
import { sessionGraphql, type SessionResult } from '$lib/server/session';
import { adminOnly, requireStaffSession, staffSignIn } from '$lib/server/staffGate';
import { zonedToUtc } from '$lib/server/zonedTime';
import type { Actions, PageServerLoad } from './$types';
import { DELIVERY_FIELDS, ENDPOINT_FIELDS, KEY_FIELDS, type Delivery, type Endpoint, type IntegrationsForm, type Key, type Scope } from './integrations';

const LOAD = `{ apiKeys { ${KEY_FIELDS} } apiKeyScopes { name description } webhookEndpoints { ${ENDPOINT_FIELDS} } webhookEventTypes }`;
const DELIVERIES = `query D($id: ID!) { webhookDeliveries(endpointId: $id, first: 20) { ${DELIVERY_FIELDS} } }`;
const M = {
  createKey: `mutation Create($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret key { ${KEY_FIELDS} } } }`,
  revokeKey: `mutation Revoke($id: ID!) { revokeApiKey(id: $id) { ${KEY_FIELDS} } }`,
  rotateKey: `mutation Rotate($id: ID!, $hours: Int, $cmid: String) { rotateApiKey(id: $id, overlapHours: $hours, clientMutationId: $cmid) { secret key { ${KEY_FIELDS} } } }`,
  createHook: `mutation Create($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { ${ENDPOINT_FIELDS} } } }`,
  enableHook: `mutation On($id: ID!, $input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) { ${ENDPOINT_FIELDS} } }`,
  deleteHook: `mutation Delete($id: ID!) { deleteWebhookEndpoint(id: $id) }`,
  testHook: `mutation T($id: ID!) { sendTestWebhook(endpointId: $id) { id } }`,
  replay: `mutation R($id: ID!) { replayWebhookDelivery(id: $id) { id } }`,
  rotateHook: `mutation S($id: ID!) { rotateWebhookSecret(id: $id, overlapHours: 24) { secret endpoint { ${ENDPOINT_FIELDS} } } }`,
};
const ID = /^[\w-]{1,64}$/;

/**
 * The tenant's integrations, rendered by the server: API keys (the secret shown once, in the answer
 * to the post that made it) and webhook endpoints with, when asked for (`?deliveries=<endpoint>`),
 * one endpoint's recent deliveries. Revoking, rotating and deleting ask first: a post without
 * `confirm=yes` answers with the question.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const session = requireStaffSession(locals.session, url);
  const base = { keyAttempt: crypto.randomUUID(), hookAttempt: crypto.randomUUID() };
  const r = await sessionGraphql<{ apiKeys: Key[]; apiKeyScopes: Scope[]; webhookEndpoints: Endpoint[]; webhookEventTypes: string[] }>(session, LOAD);
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    return { ...base, loaded: null, deliveries: null, loadError: r.reason === 'graphql' && r.code === 'FORBIDDEN' ? r.detail : 'The integrations could not be loaded right now. Please try again in a moment.' };
  }
  const asked = url.searchParams.get('deliveries');
  const endpoint = asked ? r.data.webhookEndpoints.find((e) => e.id === asked) : undefined;
  return { ...base, loaded: r.data, deliveries: endpoint ? await deliveriesOf(session, endpoint.id) : null, loadError: null };
};

async function deliveriesOf(session: NonNullable<App.Locals['session']>, id: string): Promise<IntegrationsForm['deliveries']> {
  const r = await sessionGraphql<{ webhookDeliveries: Delivery[] }>(session, DELIVERIES, { id });
  return r.ok ? { id, list: r.data.webhookDeliveries, error: null } : { id, list: [], error: r.reason === 'graphql' ? r.detail : 'The deliveries could not be loaded.' };
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const idOf = (form: FormData, name = 'id') => {
  const id = text(form, name);
  return ID.test(id) ? id : '';
};
/** A form's idempotency key: the page renders a fresh one; a resubmitted form carries the same. */
const attemptOf = (form: FormData) => {
  const key = text(form, 'clientMutationId');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};

/** A refused call as the section's message: the API's own words where they are written for people. */
function refused(url: URL, section: 'keys' | 'hooks', r: Extract<SessionResult<unknown>, { ok: false }>, extra: Partial<IntegrationsForm> = {}): ActionFailure<IntegrationsForm> {
  if (r.reason === 'unauthenticated') staffSignIn(url);
  const own = r.reason === 'graphql' && ['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED'].includes(r.code ?? '');
  const status = r.code === 'CONFLICT' ? 409 : r.code === 'FORBIDDEN' ? 403 : r.code === 'NOT_FOUND' ? 404 : own ? 400 : 503;
  return fail(status, { [section]: { ok: false, text: own ? r.detail : 'That did not work.' }, ...extra });
}
const problem = (section: 'keys' | 'hooks', message: string, extra: Partial<IntegrationsForm> = {}) => fail(400, { [section]: { ok: false, text: message }, ...extra } as IntegrationsForm);

export const actions: Actions = adminOnly({
  createKey: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const draft = { name: text(form, 'name'), scopes: form.getAll('scopes').map(String), expires: text(form, 'expires') };
    if (!draft.name) return problem('keys', 'Give the key a name.', { keyDraft: draft });
    if (!draft.scopes.length) return problem('keys', 'Choose at least one scope.', { keyDraft: draft });
    if (draft.expires && !/^\d{4}-\d{2}-\d{2}$/.test(draft.expires)) return problem('keys', 'Choose the expiry date from the calendar.', { keyDraft: draft });
    // The end of the chosen day in the WISP's time zone, the day the admin reads on the page.
    const expiresAt = draft.expires ? (zonedToUtc(`${draft.expires}T23:59`, locals.tenant?.timeZone)?.getTime() ?? NaN) + 59_000 : null;
    if (expiresAt !== null && Number.isNaN(expiresAt)) return problem('keys', 'Choose the expiry date from the calendar.', { keyDraft: draft });
    const r = await sessionGraphql<{ createApiKey: { key: Key; secret: string } }>(session, M.createKey, { input: { name: draft.name, scopes: draft.scopes, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(), clientMutationId: attemptOf(form) } });
    if (!r.ok) return refused(url, 'keys', r, { keyDraft: draft });
    return { keySecret: { name: r.data.createApiKey.key.name, value: r.data.createApiKey.secret } } satisfies IntegrationsForm;
  },

  revokeKey: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = idOf(form);
    if (!id) return problem('keys', 'That key is not there any more.');
    if (text(form, 'confirm') !== 'yes') return { confirm: { id, action: 'revoke' } } satisfies IntegrationsForm;
    const r = await sessionGraphql<{ revokeApiKey: Key }>(session, M.revokeKey, { id });
    if (!r.ok) return refused(url, 'keys', r);
    return { keys: { ok: true, text: `${r.data.revokeApiKey.name} no longer works.` } } satisfies IntegrationsForm;
  },

  rotateKey: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = idOf(form);
    if (!id) return problem('keys', 'That key is not there any more.');
    if (text(form, 'confirm') !== 'yes') return { confirm: { id, action: 'rotate' } } satisfies IntegrationsForm;
    const hours = Number(text(form, 'overlapHours') || '24');
    if (!Number.isInteger(hours) || hours < 0 || hours > 720) return problem('keys', 'The old key can keep working for 0 to 720 hours.', { confirm: { id, action: 'rotate' } });
    const r = await sessionGraphql<{ rotateApiKey: { key: Key; secret: string } }>(session, M.rotateKey, { id, hours, cmid: attemptOf(form) });
    if (!r.ok) return refused(url, 'keys', r);
    return {
      keySecret: { name: r.data.rotateApiKey.key.name, value: r.data.rotateApiKey.secret },
      keys: { ok: true, text: hours > 0 ? `The old key keeps working for ${hours} h.` : 'The old key stopped working.' },
    } satisfies IntegrationsForm;
  },

  createHook: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const draft = { url: text(form, 'url'), description: text(form, 'description'), eventTypes: form.getAll('eventTypes').map(String), includeInternal: form.get('includeInternal') === 'on' };
    if (!draft.url) return problem('hooks', 'Give the address to send events to.', { hookDraft: draft });
    if (!draft.eventTypes.length) return problem('hooks', 'Choose at least one event type.', { hookDraft: draft });
    const r = await sessionGraphql<{ createWebhookEndpoint: { secret: string; endpoint: Endpoint } }>(session, M.createHook, {
      input: { url: draft.url, description: draft.description || null, eventTypes: draft.eventTypes, includeInternal: draft.includeInternal, clientMutationId: attemptOf(form) },
    });
    if (!r.ok) return refused(url, 'hooks', r, { hookDraft: draft });
    return { hookSecret: { url: r.data.createWebhookEndpoint.endpoint.url, value: r.data.createWebhookEndpoint.secret } } satisfies IntegrationsForm;
  },

  enableHook: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = idOf(form);
    const enabled = text(form, 'enabled') === 'true';
    if (!id) return problem('hooks', 'That endpoint is not there any more.');
    const r = await sessionGraphql(session, M.enableHook, { id, input: { enabled } });
    if (!r.ok) return refused(url, 'hooks', r);
    return { hooks: { ok: true, text: enabled ? 'Turned on: waiting deliveries go out in order.' : 'Turned off: no deliveries while it is off.' } } satisfies IntegrationsForm;
  },

  deleteHook: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = idOf(form);
    if (!id) return problem('hooks', 'That endpoint is not there any more.');
    if (text(form, 'confirm') !== 'yes') return { confirm: { id, action: 'delete' } } satisfies IntegrationsForm;
    const r = await sessionGraphql(session, M.deleteHook, { id });
    if (!r.ok) return refused(url, 'hooks', r);
    return { hooks: { ok: true, text: 'Endpoint deleted.' } } satisfies IntegrationsForm;
  },

  testHook: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = idOf(form);
    if (!id) return problem('hooks', 'That endpoint is not there any more.');
    const r = await sessionGraphql(session, M.testHook, { id });
    if (!r.ok) return refused(url, 'hooks', r);
    return { hooks: { ok: true, text: 'A test delivery is on its way.' }, deliveries: await deliveriesOf(session, id) } satisfies IntegrationsForm;
  },

  replay: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = idOf(form, 'endpointId');
    const delivery = idOf(form, 'deliveryId');
    if (!id || !delivery) return problem('hooks', 'That delivery is not there any more.');
    const r = await sessionGraphql(session, M.replay, { id: delivery });
    if (!r.ok) return refused(url, 'hooks', r, { deliveries: await deliveriesOf(session, id) });
    return { hooks: { ok: true, text: 'Sent again.' }, deliveries: await deliveriesOf(session, id) } satisfies IntegrationsForm;
  },

  rotateHook: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = idOf(form);
    if (!id) return problem('hooks', 'That endpoint is not there any more.');
    const r = await sessionGraphql<{ rotateWebhookSecret: { secret: string; endpoint: Endpoint } }>(session, M.rotateHook, { id });
    if (!r.ok) return refused(url, 'hooks', r);
    return {
      hookSecret: { url: r.data.rotateWebhookSecret.endpoint.url, value: r.data.rotateWebhookSecret.secret },
      hooks: { ok: true, text: 'For 24 hours deliveries carry signatures with both the old and the new secret.' },
    } satisfies IntegrationsForm;
  },
});
