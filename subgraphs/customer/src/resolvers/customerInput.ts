import type { CustomerDoc } from '../models/index.ts';
import {
  accountNumberProblem,
  emailProblem,
  MAC,
  normaliseEmail,
  normalisePhone,
  phoneProblem,
  textProblem,
} from '../portal/validation.ts';

export interface FieldError {
  field: string;
  message: string;
}

interface PlanInput {
  name: string;
  downMbps: number;
  upMbps: number;
  priceCents: number;
}
interface EquipmentInput {
  model: string;
  serial?: string | null;
  mac?: string | null;
  installedAt?: string | null;
}

/** The fields staff may set on a customer (create and update share them). */
export interface CustomerFieldsInput {
  accountNumber?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  serviceAddress?: string | null;
  site?: string | null;
  sector?: string | null;
  serviceStatus?: CustomerDoc['serviceStatus'] | null;
  plan?: PlanInput | null;
  equipment?: EquipmentInput[] | null;
}

/**
 * Checks every field and collects all problems, so a form can show them together; returns the
 * values to store (normalised) only when there are none. `null` for an optional text clears it.
 */
export function checkCustomerFields(input: CustomerFieldsInput, creating: boolean): { errors: FieldError[]; set: Record<string, unknown>; unset: string[] } {
  const errors: FieldError[] = [];
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  const problem = (field: string, message: string | null) => message && errors.push({ field, message });

  if (creating || input.accountNumber !== undefined) {
    const v = (input.accountNumber ?? '').trim();
    if (!problem('accountNumber', accountNumberProblem(v))) set.accountNumber = v;
  }
  if (creating || input.name !== undefined) {
    const v = (input.name ?? '').trim();
    if (!problem('name', textProblem(v, 'Name', 200, true))) set.name = v;
  }
  if (input.email !== undefined) {
    const v = (input.email ?? '').trim();
    if (!v) unset.push('email');
    else if (!problem('email', emailProblem(v))) set.email = normaliseEmail(v);
  }
  if (input.phone !== undefined) {
    const v = (input.phone ?? '').trim();
    if (!v) unset.push('phone');
    else if (!problem('phone', phoneProblem(v))) set.phone = normalisePhone(v);
  }
  for (const [field, label, max] of [
    ['serviceAddress', 'Service address', 300],
    ['site', 'Site', 100],
    ['sector', 'Sector', 50],
  ] as const) {
    const raw = input[field];
    if (raw === undefined) continue;
    const v = (raw ?? '').trim();
    if (!v) unset.push(field);
    else if (!problem(field, textProblem(v, label, max))) set[field] = v;
  }
  if (input.serviceStatus) set.serviceStatus = input.serviceStatus;
  if (input.plan) {
    const p = input.plan;
    const before = errors.length;
    problem('plan.name', textProblem(p.name.trim(), 'Plan name', 100, true));
    for (const k of ['downMbps', 'upMbps'] as const) {
      if (!Number.isFinite(p[k]) || p[k] <= 0 || p[k] > 100_000) problem(`plan.${k}`, 'Enter a speed between 0 and 100000 Mbps.');
    }
    if (!Number.isInteger(p.priceCents) || p.priceCents < 0 || p.priceCents > 100_000_000) problem('plan.priceCents', 'Enter a price in cents.');
    if (errors.length === before) set.plan = { ...p, name: p.name.trim() };
  }
  if (input.equipment) {
    const before = errors.length;
    if (input.equipment.length > 20) problem('equipment', 'At most 20 devices.');
    const rows = input.equipment.map((e, i) => {
      problem(`equipment.${i}.model`, textProblem(e.model.trim(), 'Model', 100, true));
      if (e.serial) problem(`equipment.${i}.serial`, textProblem(e.serial, 'Serial', 100));
      if (e.mac && !MAC.test(e.mac.trim())) problem(`equipment.${i}.mac`, 'Enter a MAC address like 24:5A:4C:11:22:01.');
      const installedAt = e.installedAt ? new Date(e.installedAt) : undefined;
      if (installedAt && Number.isNaN(installedAt.getTime())) problem(`equipment.${i}.installedAt`, 'Enter a date.');
      return { model: e.model.trim(), serial: e.serial?.trim() || undefined, mac: e.mac?.trim().toUpperCase() || undefined, installedAt };
    });
    if (errors.length === before) set.equipment = rows;
  }
  return { errors, set, unset };
}
