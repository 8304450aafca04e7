import { badInput, codedError, ErrorCode, firebaseAuth, type Identity, isDuplicateKey, isObjectId, notFound } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import { withEvents } from '@wisp/events';
import { NEUTRAL_BRANDING } from '../branding/neutralBranding.ts';
import { tenantEvent } from '../tenantEvents.ts';
import { normaliseHost, portalBaseDomains } from './portalHost.ts';

/** Slugs of new tenants: also the Firebase Auth tenant's display name, which allows 4–20 characters. */
const SLUG = /^[a-z][a-z0-9-]{3,19}$/;
/** Names reserved for the platform's own use. */
const RESERVED_SLUGS = new Set(['admin', 'api', 'assets', 'gateway', 'graphql', 'login', 'portal', 'static', 'support', 'www']);
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;


function tenantName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed || trimmed.length > 100 || /[\u0000-\u001f\u007f]/.test(trimmed)) throw badInput('A tenant name has 1 to 100 characters.', 'name');
  return trimmed;
}

async function loadTenant(models: Models, id: string) {
  if (!isObjectId(id)) throw notFound('Tenant');
  const tenant = await models.Tenant.findById(id).lean();
  if (!tenant) throw notFound('Tenant');
  return tenant;
}

/** Finds or creates the Firebase Auth tenant that holds a WISP's logins (named by its slug). */
async function ensureAuthTenant(slug: string): Promise<string> {
  const manager = firebaseAuth().tenantManager();
  let pageToken: string | undefined;
  do {
    const page = await manager.listTenants(1000, pageToken);
    const found = page.tenants.find((t) => t.displayName === slug);
    if (found) return found.tenantId;
    pageToken = page.pageToken;
  } while (pageToken);
  const created = await manager.createTenant({ displayName: slug, emailSignInConfig: { enabled: true, passwordRequired: true } });
  return created.tenantId;
}

/**
 * Registers a tenant. The unique slug index decides between concurrent creates; a retry carrying
 * the same clientMutationId gets the tenant its first attempt created (finishing it if needed).
 */
export async function createTenant(models: Models, identity: Identity, input: { slug: string; name: string; firstAdminEmail?: string | null; clientMutationId?: string | null }) {
  const slug = String(input.slug ?? '').trim().toLowerCase();
  if (!SLUG.test(slug) || RESERVED_SLUGS.has(slug)) {
    throw badInput('A slug has 4 to 20 lower-case letters, digits or hyphens and starts with a letter.', 'slug');
  }
  const name = tenantName(input.name);
  const firstAdminEmail = input.firstAdminEmail ? String(input.firstAdminEmail).trim().toLowerCase() : null;
  if (firstAdminEmail && (firstAdminEmail.length > 254 || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(firstAdminEmail))) throw badInput('firstAdminEmail is not an email address.', 'firstAdminEmail');
  const mutationId = input.clientMutationId ? String(input.clientMutationId).slice(0, 100) : null;

  let tenant = await models.Tenant.findOne({ slug }).lean();
  let createdHere = false;
  if (!tenant) {
    try {
      const created = await models.Tenant.create({
        slug,
        name,
        status: 'ACTIVE',
        branding: { ...NEUTRAL_BRANDING, companyName: name, displayName: name, logoAlt: name },
        brandingVersion: 0,
        ...(mutationId ? { createdByMutation: mutationId } : {}),
        ...(firstAdminEmail ? { firstAdminEmail } : {}),
      });
      tenant = created.toObject();
      createdHere = true;
      await models.BrandingVersion.create({
        tenantId: created._id,
        version: 0,
        action: 'CREATE',
        actorUid: identity.uid,
        actorRole: identity.role,
        at: new Date(),
        changes: [],
        branding: { ...NEUTRAL_BRANDING, companyName: name, displayName: name, logoAlt: name },
      }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      tenant = await models.Tenant.findOne({ slug }).lean();
      if (!tenant || !mutationId || tenant.createdByMutation !== mutationId) throw codedError(ErrorCode.CONFLICT, 'A tenant with this slug already exists.', { field: 'slug' });
    }
  } else if (!mutationId || tenant.createdByMutation !== mutationId) {
    throw codedError(ErrorCode.CONFLICT, 'A tenant with this slug already exists.', { field: 'slug' });
  }

  const young = Date.now() - new Date(tenant.createdAt ?? 0).getTime() < 30_000;
  if (!tenant.firebaseTenantId && !createdHere && young) {
    // A retry racing the first attempt: give that attempt time to attach the login pool it is creating
    // (an older tenant without one was left by an attempt that died: this retry finishes it at once).
    for (let i = 0; i < 40 && !tenant.firebaseTenantId; i++) {
      await new Promise((r) => setTimeout(r, 250));
      tenant = (await models.Tenant.findById(tenant._id).lean()) ?? tenant;
    }
  }
  if (!tenant.firebaseTenantId) {
    let authTenantId: string;
    try {
      authTenantId = await ensureAuthTenant(slug);
    } catch (err) {
      // Without its login pool the tenant is unusable: withdraw it so the create can simply be retried.
      if (createdHere) {
        await models.Tenant.deleteOne({ _id: tenant._id, firebaseTenantId: { $exists: false } });
        await models.BrandingVersion.deleteMany({ tenantId: tenant._id });
      }
      throw err;
    }
    // Only the first pool attached counts; ensureAuthTenant finds an existing pool by name, so a
    // later attempt attaches the same one.
    // The tenant is usable from here on, so this is where it is announced: once, by the update that attaches the pool.
    await models.Tenant.updateOne(
      { _id: tenant._id, firebaseTenantId: { $exists: false } },
      withEvents({ $set: { firebaseTenantId: authTenantId } }, [tenantEvent(tenant._id, 'tenant.created', 'created', { slug: tenant.slug, name: tenant.name, firstAdminEmail: tenant.firstAdminEmail ?? null })]),
    );
    await models.relay?.flush(models.Tenant, tenant._id);
    tenant = (await models.Tenant.findById(tenant._id).lean()) ?? { ...tenant, firebaseTenantId: authTenantId };
  }
  return tenant;
}

export async function renameTenant(models: Models, id: string, name: string) {
  const tenant = await loadTenant(models, id);
  const next = tenantName(name);
  if (next !== tenant.name) {
    await models.Tenant.updateOne({ _id: tenant._id }, withEvents({ $set: { name: next } }, [tenantEvent(tenant._id, 'tenant.renamed', 'renamed', { name: next })]));
    await models.relay?.flush(models.Tenant, tenant._id);
  }
  return loadTenant(models, id);
}

export async function setTenantStatus(models: Models, id: string, status: 'ACTIVE' | 'SUSPENDED') {
  const tenant = await loadTenant(models, id);
  // Only a real change is a fact: suspending a suspended tenant publishes nothing.
  const type = status === 'SUSPENDED' ? 'tenant.suspended' : 'tenant.reactivated';
  const changed = await models.Tenant.updateOne({ _id: tenant._id, status: { $ne: status } }, withEvents({ $set: { status } }, [tenantEvent(tenant._id, type, status.toLowerCase(), {})]));
  if (changed.modifiedCount) await models.relay?.flush(models.Tenant, tenant._id);
  return loadTenant(models, id);
}

function customDomain(raw: unknown): string {
  const domain = normaliseHost(String(raw ?? ''));
  if (!DOMAIN.test(domain)) throw badInput('Not a valid domain name.', 'domain');
  // A name under the platform's own base domains already means `{slug}.<base>`.
  if (portalBaseDomains().some((base) => domain === base || domain.endsWith(`.${base}`))) {
    throw badInput('Names under the platform\'s own domains cannot be claimed.', 'domain');
  }
  return domain;
}

/**
 * Claims a custom domain for a tenant. The claim (unique on the domain) is written first, so of two
 * tenants adding one domain at once exactly one wins; the tenant's own list follows, and the
 * claim is withdrawn if the tenant vanished in between.
 */
export async function addTenantDomain(models: Models, id: string, rawDomain: string) {
  const domain = customDomain(rawDomain);
  const tenant = await loadTenant(models, id);
  try {
    await models.Domain.create({ domain, tenantId: tenant._id });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const holder = await models.Domain.findOne({ domain }).lean();
    if (!holder || !holder.tenantId.equals(tenant._id)) {
      throw codedError(ErrorCode.CONFLICT, 'This domain is already in use by another portal.', { field: 'domain' });
    }
  }
  const event = tenantEvent(tenant._id, 'tenant.domainsChanged', 'domains_changed', { added: [domain], removed: [] });
  const updated = await models.Tenant.updateOne({ _id: tenant._id, domains: { $ne: domain } }, withEvents({ $push: { domains: domain } }, [event]));
  if (updated.matchedCount !== 1 && !(await models.Tenant.exists({ _id: tenant._id }))) {
    await models.Domain.deleteOne({ domain, tenantId: tenant._id });
    throw notFound('Tenant');
  }
  if (updated.modifiedCount) await models.relay?.flush(models.Tenant, tenant._id);
  return loadTenant(models, id);
}

export async function removeTenantDomain(models: Models, id: string, rawDomain: string) {
  const domain = normaliseHost(String(rawDomain ?? ''));
  const tenant = await loadTenant(models, id);
  const event = tenantEvent(tenant._id, 'tenant.domainsChanged', 'domains_changed', { added: [], removed: [domain] });
  const updated = await models.Tenant.updateOne({ _id: tenant._id, domains: domain }, withEvents({ $pull: { domains: domain } }, [event]));
  if (updated.modifiedCount) await models.relay?.flush(models.Tenant, tenant._id);
  await models.Domain.deleteOne({ domain, tenantId: new Types.ObjectId(String(tenant._id)) });
  return loadTenant(models, id);
}
