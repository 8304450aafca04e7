import { AccountRole, actingRole, actsAsHolder, badInput, codedError, ErrorCode, forbidden, type Identity, isDuplicateKey, isObjectId, notFound, Role, unauthenticated } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import * as security from '../portal/accountSecurity.ts';
import { audit, type Actor } from '../portal/audit.ts';
import {
  createInvite,
  provisionCustomer,
  restoreAccess,
  revokeAccess,
  sendPasswordReset,
  setTemporaryPassword,
  type AccessOutcome,
  type PortalDeps,
} from '../portal/provisioning.ts';
import { recordLinkedSignIn } from '../portal/households.ts';
import { requestPasswordReset, signUpWithAccount, type SignUpInput } from '../portal/signup.ts';
import { normalisePhone, phoneProblem } from '../portal/validation.ts';
import { queueProvisioning } from '../portal/worker.ts';
import { ACCESS_ROLES, staffTenant } from './access.ts';
import { checkCustomerFields, type CustomerFieldsInput, type FieldError } from './customerInput.ts';
import { PENDING_EVENTS } from '@wisp/events';
import { customerEvent, portalAccessEvent, updateCustomerWithEvents } from '../customerEvents.ts';

const deps = (ctx: Context): PortalDeps => ({ models: ctx.models, services: ctx.models.services });
const actorOf = (identity: Identity): Actor => ({ uid: identity.uid, role: identity.role });

/** A customer of the caller's tenant, or NOT_FOUND (another tenant's id reads like an unknown one). */
async function tenantCustomer(ctx: Context, tenantId: string, id: string) {
  if (!isObjectId(id)) throw notFound('Customer');
  const customer = await ctx.models.Customer.findOne({ _id: id, tenantId }).lean();
  if (!customer) throw notFound('Customer');
  return customer;
}

/**
 * How long a claimed client mutation id waits for its customer. A create writes its customer within
 * a second of claiming the id; a claim this old with no customer was left by a request that died.
 */
const RECEIPT_LEASE_MS = 30_000;

const invalid = (errors: FieldError[]) => ({ ok: false, customer: null, errors });

async function accessResult(ctx: Context, customerId: string, outcome: AccessOutcome) {
  const customer = await ctx.models.Customer.findById(customerId).lean();
  return { customerId, ok: outcome.ok, message: outcome.ok ? (outcome.message ?? null) : outcome.message, access: customer };
}

export const Mutation = {
  createCustomer: async (_: unknown, { input, clientMutationId }: { input: CustomerFieldsInput; clientMutationId?: string | null }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity);
    if (clientMutationId != null && (clientMutationId.length < 1 || clientMutationId.length > 100)) {
      throw badInput('clientMutationId must be 1–100 characters.', 'clientMutationId');
    }
    const receiptId = clientMutationId ? `${tenantId}:createCustomer:${clientMutationId}` : null;
    const replay = async () => {
      const receipt = receiptId ? await ctx.models.MutationReceipt.findById(receiptId).lean() : null;
      if (!receipt) return null;
      if (Date.now() - new Date(receipt.createdAt).getTime() > RECEIPT_LEASE_MS && !(await ctx.models.Customer.exists({ _id: receipt.resultId, tenantId }))) {
        // Its request died between claiming the id and writing the customer: the claim lapses.
        await ctx.models.MutationReceipt.deleteOne({ _id: receiptId, resultId: receipt.resultId });
        return null;
      }
      // The first request may still be writing the customer it claimed the id for.
      for (let i = 0; i < 40; i++) {
        const customer = await ctx.models.Customer.findOne({ _id: receipt.resultId, tenantId }).lean();
        if (customer) return { ok: true, customer, errors: [] };
        if (!(await ctx.models.MutationReceipt.exists({ _id: receiptId }))) return null;
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    };
    const earlier = await replay();
    if (earlier) return earlier;

    const { errors, set } = checkCustomerFields(input, true);
    if (errors.length) return invalid(errors);
    const _id = new Types.ObjectId();
    if (receiptId) {
      // Claim the client mutation id first: of racing retries, one creates and the rest answer with its result.
      for (let attempt = 0; ; attempt++) {
        try {
          await ctx.models.MutationReceipt.create({ _id: receiptId, resultId: String(_id) });
          break;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          const raced = await replay();
          if (raced) return raced;
          // Null after a lapsed claim was withdrawn: claim again, once.
          if (attempt > 0 || (await ctx.models.MutationReceipt.exists({ _id: receiptId }))) {
            throw codedError(ErrorCode.CONFLICT, 'This request is still being processed; try again in a moment.');
          }
        }
      }
    }
    try {
      const created = customerEvent({ _id, tenantId }, 'customer.created', 'created', {
        accountNumber: String(set.accountNumber),
        site: (set.site as string | undefined) ?? null,
        serviceStatus: (set.serviceStatus as string | undefined) ?? 'PENDING',
      });
      await ctx.models.Customer.create({ _id, ...set, tenantId: new Types.ObjectId(tenantId), contactPreferences: { email: true, sms: false }, [PENDING_EVENTS]: [created] });
      await ctx.models.services.relay?.flush(ctx.models.Customer, _id);
    } catch (err) {
      // Release the claim, so the client may correct the input and retry with the same id.
      if (receiptId) await ctx.models.MutationReceipt.deleteOne({ _id: receiptId, resultId: String(_id) });
      if (!isDuplicateKey(err)) throw err;
      return invalid([{ field: 'accountNumber', message: 'Another customer already has this account number.' }]);
    }
    if (set.email) {
      // Never fails the creation: the worker records and retries failures where staff can see them.
      try {
        await queueProvisioning(deps(ctx), { tenantId, customerId: String(_id), actor: actorOf(ctx.identity!) });
        ctx.models.nudgeWorker();
      } catch (err) {
        ctx.log.error('could not queue portal provisioning', { customerId: String(_id), error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { ok: true, customer: await ctx.models.Customer.findById(_id).lean(), errors: [] };
  },

  updateCustomer: async (_: unknown, { id, input }: { id: string; input: CustomerFieldsInput & { installNote?: { kind: string; note?: string; technician?: string } | null } }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity);
    const before = await tenantCustomer(ctx, tenantId, id);
    const { installNote, ...fields } = input;
    const { errors, set, unset } = checkCustomerFields(fields, false);
    if (installNote && (!installNote.kind.trim() || installNote.kind.length > 50 || (installNote.note?.length ?? 0) > 1000)) {
      errors.push({ field: 'installNote', message: 'Give the visit a kind (up to 50 characters) and a note of up to 1000.' });
    }
    if (errors.length) return invalid(errors);
    const update: Record<string, unknown> = {};
    if (Object.keys(set).length) update.$set = set;
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, 1]));
    if (installNote) {
      update.$push = { installHistory: { at: new Date(), kind: installNote.kind.trim(), note: installNote.note?.trim(), technician: installNote.technician?.trim() } };
    }
    if (Object.keys(update).length) {
      const changed = [...Object.keys(set), ...unset, ...(installNote ? ['installHistory'] : [])];
      const events = [customerEvent(before, 'customer.updated', 'updated', { fields: changed, site: ((set.site as string | undefined) ?? (unset.includes('site') ? null : before.site)) ?? null })];
      const filter: Record<string, unknown> = { _id: id, tenantId };
      if (set.serviceStatus && set.serviceStatus !== before.serviceStatus) {
        events.push(customerEvent(before, 'customer.serviceStatusChanged', 'service_status_changed', { from: before.serviceStatus ?? null, to: String(set.serviceStatus) }));
        // The change is from the status read above, or it is not made: `from` is then a fact.
        filter.serviceStatus = before.serviceStatus;
      }
      try {
        const res = await updateCustomerWithEvents(deps(ctx), filter, update, events);
        if (res.matchedCount === 0) throw codedError(ErrorCode.CONFLICT, 'The customer was changed meanwhile; reload and try again.');
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return invalid([{ field: 'accountNumber', message: 'Another customer already has this account number.' }]);
      }
    }
    return { ok: true, customer: await ctx.models.Customer.findById(id).lean(), errors: [] };
  },

  updateMyContact: async (_: unknown, { input }: { input: { phone?: string | null; contactPreferences?: { email: boolean; sms: boolean } | null } }, ctx: Context) => {
    const { identity } = ctx;
    if (!identity) throw unauthenticated();
    if (identity.role !== Role.CUSTOMER || !identity.customerId || !identity.tenantId) throw forbidden('Only customers have contact details to update.');
    if (!actsAsHolder(identity)) throw forbidden('Only the account holder changes the account\'s contact details.');
    const set: Record<string, unknown> = {};
    const errors: FieldError[] = [];
    if (input.phone !== undefined && input.phone !== null) {
      const problem = phoneProblem(input.phone);
      if (problem) errors.push({ field: 'phone', message: problem });
      else set.phone = normalisePhone(input.phone);
    }
    if (input.contactPreferences) set.contactPreferences = { email: !!input.contactPreferences.email, sms: !!input.contactPreferences.sms };
    if (errors.length) return invalid(errors);
    // The record is the caller's own, taken from the signed identity; revoked logins change nothing.
    const filter = { _id: identity.customerId, tenantId: identity.tenantId, 'portal.status': { $ne: 'REVOKED' } };
    if (Object.keys(set).length) {
      await updateCustomerWithEvents(deps(ctx), filter, { $set: set }, [
        customerEvent({ _id: identity.customerId, tenantId: identity.tenantId }, 'customer.updated', 'updated', {
          fields: Object.keys(set),
          site: (await ctx.models.Customer.findOne(filter, { site: 1 }).lean())?.site ?? null,
        }),
      ]);
    }
    const customer = await ctx.models.Customer.findOne(filter).lean();
    if (!customer) throw unauthenticated('This login has been disabled.');
    return { ok: true, customer, errors: [] };
  },

  provisionPortalAccess: async (_: unknown, { customerId }: { customerId: string }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, ACCESS_ROLES);
    await tenantCustomer(ctx, tenantId, customerId);
    return accessResult(ctx, customerId, await provisionCustomer(deps(ctx), customerId, actorOf(ctx.identity!), { resend: true }));
  },

  provisionPortalAccessBatch: async (_: unknown, { customerIds }: { customerIds: string[] }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, ACCESS_ROLES);
    if (customerIds.length > 100) throw badInput('At most 100 customers at a time.', 'customerIds');
    const results = [];
    for (const customerId of [...new Set(customerIds)]) {
      const known = isObjectId(customerId) && (await ctx.models.Customer.exists({ _id: customerId, tenantId }));
      if (!known) {
        results.push({ customerId, ok: false, message: 'Customer not found.', access: null });
        continue;
      }
      results.push(await accessResult(ctx, customerId, await provisionCustomer(deps(ctx), customerId, actorOf(ctx.identity!))));
    }
    return results;
  },

  sendPortalPasswordReset: async (_: unknown, { customerId }: { customerId: string }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, ACCESS_ROLES);
    await tenantCustomer(ctx, tenantId, customerId);
    return accessResult(ctx, customerId, await sendPasswordReset(deps(ctx), customerId, tenantId, actorOf(ctx.identity!)));
  },

  revokePortalAccess: async (_: unknown, { customerId }: { customerId: string }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, ACCESS_ROLES);
    await tenantCustomer(ctx, tenantId, customerId);
    return accessResult(ctx, customerId, await revokeAccess(deps(ctx), customerId, tenantId, actorOf(ctx.identity!)));
  },

  restorePortalAccess: async (_: unknown, { customerId }: { customerId: string }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, ACCESS_ROLES);
    await tenantCustomer(ctx, tenantId, customerId);
    return accessResult(ctx, customerId, await restoreAccess(deps(ctx), customerId, tenantId, actorOf(ctx.identity!)));
  },

  setTemporaryPortalPassword: async (_: unknown, { customerId }: { customerId: string }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, ACCESS_ROLES);
    await tenantCustomer(ctx, tenantId, customerId);
    const outcome = await setTemporaryPassword(deps(ctx), customerId, tenantId, actorOf(ctx.identity!));
    const { access } = await accessResult(ctx, customerId, outcome);
    return { ok: outcome.ok, message: outcome.ok ? null : outcome.message, temporaryPassword: outcome.ok ? outcome.password : null, access };
  },

  createPortalInvite: async (_: unknown, { customerId }: { customerId: string }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, ACCESS_ROLES);
    await tenantCustomer(ctx, tenantId, customerId);
    const outcome = await createInvite(deps(ctx), customerId, tenantId, actorOf(ctx.identity!));
    return outcome.ok
      ? { ok: true, message: null, code: outcome.code, expiresAt: outcome.expiresAt!.toISOString() }
      : { ok: false, message: outcome.message, code: null, expiresAt: null };
  },

  signUpWithAccount: async (_: unknown, { input }: { input: SignUpInput }, ctx: Context) => {
    // Public on purpose: the caller has no login yet. A signed-in caller gains nothing from it.
    if (ctx.identity) throw forbidden('Sign out before creating a new login.');
    return signUpWithAccount(deps(ctx), input, ctx.clientAddress ?? null);
  },

  requestPasswordReset: async (_: unknown, { input }: { input: { tenantSlug: string; email: string } }, ctx: Context) =>
    requestPasswordReset(deps(ctx), input, ctx.clientAddress ?? null),

  recordSignIn: async (_: unknown, __: unknown, ctx: Context) => {
    const { identity } = ctx;
    if (!identity) throw unauthenticated();
    if (identity.tenantId) await security.checkSignIn(ctx);
    if (identity.role !== Role.CUSTOMER || !identity.customerId || !identity.tenantId) return false;
    // A household member or property manager signing in is not the holder's first sign-in.
    if (actingRole(identity) !== AccountRole.OWNER) {
      await recordLinkedSignIn(deps(ctx), identity);
      return true;
    }
    const now = new Date();
    const mine = { _id: identity.customerId, tenantId: identity.tenantId };
    const signIn = { $set: { 'portal.lastLoginAt': now, 'portal.status': 'ACTIVE', portalUid: identity.uid } };
    // The first sign-in makes the access ACTIVE, which is a fact; later ones only move the date.
    const first = await updateCustomerWithEvents(deps(ctx), { ...mine, 'portal.status': { $nin: ['REVOKED', 'ACTIVE'] } }, signIn, [portalAccessEvent(mine, 'ACTIVE', 'FIRST_SIGN_IN')]);
    const res = first.matchedCount ? first : await ctx.models.Customer.updateOne({ ...mine, 'portal.status': { $ne: 'REVOKED' } }, signIn);
    if (res.matchedCount === 0) throw unauthenticated('This login has been disabled.');
    await audit(ctx.models, { tenantId: identity.tenantId, customerId: identity.customerId, actor: actorOf(identity), action: 'SIGN_IN', outcome: 'SUCCESS' });
    return true;
  },

  reportSignInFailure: (_: unknown, { input }: { input: { tenantSlug: string; email: string } }, ctx: Context) => security.reportSignInFailure(ctx, input),
  verifyEmail: (_: unknown, { token }: { token: string }, ctx: Context) => security.verifyEmail(ctx, token),
  changePassword: (_: unknown, { input }: { input: { currentPassword: string; newPassword: string } }, ctx: Context) => security.changePassword(ctx, input),
  signOutEverywhere: (_: unknown, __: unknown, ctx: Context) => security.signOutEverywhere(ctx),
  beginTotpEnrolment: (_: unknown, __: unknown, ctx: Context) => security.beginTotpEnrolment(ctx),
  confirmTotpEnrolment: (_: unknown, { code }: { code: string }, ctx: Context) => security.confirmTotpEnrolment(ctx, code),
  removeTotp: (_: unknown, { code }: { code: string }, ctx: Context) => security.removeTotp(ctx, code),
  verifySecondFactor: (_: unknown, { code }: { code: string }, ctx: Context) => security.verifySecondFactor(ctx, code),
  setStaffSecondFactorPolicy: (_: unknown, { required }: { required: boolean }, ctx: Context) => security.setStaffSecondFactorPolicy(ctx, required),
};
