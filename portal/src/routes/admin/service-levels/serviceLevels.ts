/** The service-levels page's shapes, shared by its server and its page. */

export const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const PRIORITIES = ['URGENT', 'HIGH', 'MEDIUM', 'LOW'] as const;
export const CLOCKS = [
  ['firstResponseMinutes', 'First reply'],
  ['nextUpdateMinutes', 'Next update'],
  ['resolutionMinutes', 'Resolution'],
] as const;
export type Clock = (typeof CLOCKS)[number][0];

export interface Target {
  priority: string;
  firstResponseMinutes: number;
  nextUpdateMinutes: number;
  resolutionMinutes: number;
}

export interface Policy {
  timeZone: string;
  custom: boolean;
  businessHours: { day: number; open: string; close: string }[];
  targets: Target[];
}

/** The form as it is filled in: one window per weekday, and each target as typed. */
export interface PolicyDraft {
  days: { day: number; open: boolean; from: string; to: string }[];
  targets: ({ priority: string } & Record<Clock, string>)[];
}

export interface ServiceLevelsForm {
  message: { ok: boolean; text: string };
  /** A refused save: what was posted, and the targets that are not whole minutes. */
  draft?: PolicyDraft;
  invalid?: string[];
}

export function draftFromPolicy(p: Policy): PolicyDraft {
  return {
    days: DAYS.map((_, i) => {
      const w = p.businessHours.find((h) => h.day === i + 1);
      return { day: i + 1, open: !!w, from: w?.open ?? '08:00', to: w?.close ?? '18:00' };
    }),
    targets: PRIORITIES.map((priority) => {
      const t = p.targets.find((x) => x.priority === priority);
      return { priority, ...(Object.fromEntries(CLOCKS.map(([key]) => [key, String(t?.[key] ?? '')])) as Record<Clock, string>) };
    }),
  };
}
