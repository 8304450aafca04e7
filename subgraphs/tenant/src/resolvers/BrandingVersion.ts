import type { Types } from 'mongoose';

interface VersionRow {
  _id: Types.ObjectId;
  version: number;
  at: Date;
  branding: Record<string, unknown>;
}

export const BrandingVersion = {
  id: (v: VersionRow) => String(v._id),
  at: (v: VersionRow) => v.at.toISOString(),
  branding: (v: VersionRow) => ({ ...v.branding, version: v.version }),
};
