import { randomUUID } from 'node:crypto';
import { API_KEY_PREFIX, API_SCOPES, badInput, codedError, ErrorCode, forbidden, isApiScope, isDuplicateKey, isObjectId, newApiKeySecret, notFound, Role, secretMatches, unauthenticated, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';

/** Keys are managed by the tenant's own administrators. */
function adminTenant(identity: Identity | null): string {
  if (!identity) throw unauthenticated();
  if (identity.role !== Role.TENANT_ADMIN || !identity.tenantId) throw forbidden('Only the tenant\'s administrators manage API keys.');
  return identity.tenantId;
}

/** Longest overlap of a rotated key with its replacement. */
const MAX_OVERLAP_HOURS = 24 * 30;

export interface ApiKeyRow {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
  revokedAt?: Date | null;
  createdAt?: Date;
  lastUsedAt?: Date | null;
  lastUsedAddress?: string | null;
}

export const ApiKey = {
  id: (k: ApiKeyRow) => String(k._id),
  prefix: (k: ApiKeyRow) => `${API_KEY_PREFIX}${k._id}`,
  createdAt: (k: ApiKeyRow) => k.createdAt?.toISOString() ?? null,
  expiresAt: (k: ApiKeyRow) => k.expiresAt?.toISOString() ?? null,
  revokedAt: (k: ApiKeyRow) => k.revokedAt?.toISOString() ?? null,
  lastUsedAt: (k: ApiKeyRow) => k.lastUsedAt?.toISOString() ?? null,
  status: (k: ApiKeyRow) => (k.revokedAt ? 'REVOKED' : k.expiresAt && k.expiresAt.getTime() <= Date.now() ? 'EXPIRED' : 'ACTIVE'),
};

function checkedScopes(scopes: unknown): string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) throw badInput(`Give the key at least one scope: ${Object.keys(API_SCOPES).join(', ')}.`, 'scopes');
  const unknown = scopes.filter((s) => !isApiScope(s));
  if (unknown.length) throw badInput(`Unknown scopes: ${unknown.join(', ')}. Known: ${Object.keys(API_SCOPES).join(', ')}.`, 'scopes');
  return [...new Set(scopes as string[])].sort();
}

function checkedName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!n || n.length > 100) throw badInput('Name the key (1 to 100 characters), e.g. after the system that uses it.', 'name');
  return n;
}

function checkedExpiry(expiresAt: unknown): Date | null {
  if (expiresAt === null || expiresAt === undefined || expiresAt === '') return null;
  const at = new Date(String(expiresAt));
  if (Number.isNaN(at.getTime())) throw badInput('expiresAt must be an ISO date and time.', 'expiresAt');
  if (at.getTime() <= Date.now()) throw badInput('expiresAt must be in the future.', 'expiresAt');
  return at;
}

async function insertKey(models: Models, fields: { tenantId: string; name: string; scopes: string[]; expiresAt: Date | null; createdByUid: string; createdByMutation: string }) {
  const _id = new Types.ObjectId();
  const { key, secretHash } = newApiKeySecret(String(_id));
  try {
    await models.ApiKey.create({ _id, ...fields, tenantId: new Types.ObjectId(fields.tenantId), secretHash });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // The secret of a key is shown once, to the request that made it: a retry cannot show it again.
    throw codedError(ErrorCode.CONFLICT, 'This key was created already and its secret shown once. If it was lost, revoke it and create another.', { field: 'clientMutationId' });
  }
  return { key: (await models.ApiKey.findById(_id).lean<ApiKeyRow>())!, secret: key };
}

async function ownKey(models: Models, tenantId: string, id: string): Promise<ApiKeyRow> {
  const row = isObjectId(id) ? await models.ApiKey.findOne({ _id: id, tenantId }).lean<ApiKeyRow>() : null;
  if (!row) throw notFound('API key');
  return row;
}

export const apiKeyQueries = {
  apiKeys: async (_: unknown, __: unknown, { identity, models }: { identity: Identity | null; models: Models }) => {
    const tenantId = adminTenant(identity);
    return models.ApiKey.find({ tenantId }).sort({ _id: -1 }).limit(500).lean<ApiKeyRow[]>();
  },
  apiKeyScopes: (_: unknown, __: unknown, { identity }: { identity: Identity | null }) => {
    adminTenant(identity);
    return Object.entries(API_SCOPES).map(([name, description]) => ({ name, description }));
  },
};

export const apiKeyMutations = {
  createApiKey: async (_: unknown, { input }: { input: { name: string; scopes: string[]; expiresAt?: string | null; clientMutationId?: string | null } }, { identity, models }: { identity: Identity | null; models: Models }) => {
    const tenantId = adminTenant(identity);
    const cmid = input.clientMutationId ? String(input.clientMutationId).slice(0, 100) : randomUUID();
    return insertKey(models, { tenantId, name: checkedName(input.name), scopes: checkedScopes(input.scopes), expiresAt: checkedExpiry(input.expiresAt), createdByUid: identity!.uid, createdByMutation: cmid });
  },

  revokeApiKey: async (_: unknown, { id }: { id: string }, { identity, models }: { identity: Identity | null; models: Models }) => {
    const tenantId = adminTenant(identity);
    const key = await ownKey(models, tenantId, id);
    await models.ApiKey.updateOne({ _id: key._id, revokedAt: null }, { $set: { revokedAt: new Date() } });
    return ownKey(models, tenantId, id);
  },

  /**
   * A new key with the same name and scopes; the old one keeps working for `overlapHours` (default
   * 24, 0 ends it at once) so the integration can switch without a gap.
   */
  rotateApiKey: async (_: unknown, { id, overlapHours, clientMutationId }: { id: string; overlapHours?: number | null; clientMutationId?: string | null }, { identity, models }: { identity: Identity | null; models: Models }) => {
    const tenantId = adminTenant(identity);
    const old = await ownKey(models, tenantId, id);
    if (old.revokedAt) throw badInput('A revoked key cannot be rotated; create a new one.', 'id');
    const hours = overlapHours ?? 24;
    if (!Number.isInteger(hours) || hours < 0 || hours > MAX_OVERLAP_HOURS) throw badInput(`overlapHours is a whole number from 0 to ${MAX_OVERLAP_HOURS}.`, 'overlapHours');
    const created = await insertKey(models, {
      tenantId,
      name: old.name,
      scopes: old.scopes,
      expiresAt: old.expiresAt ?? null,
      createdByUid: identity!.uid,
      createdByMutation: clientMutationId ? String(clientMutationId).slice(0, 100) : `rotate:${id}:${randomUUID()}`,
    });
    const end = new Date(Date.now() + hours * 3600_000);
    // The old key ends at the overlap's end, or sooner if it was to end sooner anyway.
    await models.ApiKey.updateOne({ _id: old._id }, { $set: { replacedBy: created.key._id, expiresAt: old.expiresAt && old.expiresAt < end ? old.expiresAt : end } });
    return created;
  },
};

/** How often a key's last use is written (uses in between change nothing worth a write). */
const LAST_USED_EVERY_MS = 60_000;

/**
 * The gateway's question "whose is this key?": the tenant and scopes of a valid key, or null for an
 * unknown, revoked or expired one, or a wrong secret (all look the same to the caller).
 */
export async function verifyApiKey(models: Models, keyId: string, secret: string, address: string | null) {
  if (!isObjectId(keyId)) return null;
  const row = await models.ApiKey.findById(keyId).select('+secretHash').lean<ApiKeyRow & { secretHash: string }>();
  if (!row || !secretMatches(secret, row.secretHash)) return null;
  const now = Date.now();
  if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS || row.lastUsedAddress !== address) {
    await models.ApiKey.updateOne({ _id: row._id }, { $set: { lastUsedAt: new Date(now), lastUsedAddress: address } });
  }
  return { tenantId: String(row.tenantId), keyId, scopes: row.scopes, expiresAt: row.expiresAt?.toISOString() ?? null };
}
