import type { Types } from 'mongoose';
import type { AuditEntryDoc } from '../models/AuditEntry.ts';

type Row = AuditEntryDoc & { _id: Types.ObjectId };

export const PortalAuditEntry = {
  id: (e: Row) => String(e._id),
  at: (e: Row) => new Date(e.at).toISOString(),
};
