/** The visit capacity as the admin form shows it, in text fields: one slot or crew per line. */
export interface Capacity {
  timeZone: string;
  slots: { weekday: string; start: string; end: string }[];
  crews: { id: string; name: string; sites: string[] }[];
  blackoutDates: string[];
  leadTimeHours: number;
  cutoffHours: number;
  visitCategories: string[];
}

export const CATEGORIES = ['NO_SERVICE', 'SLOW_SPEED', 'INTERMITTENT', 'EQUIPMENT', 'BILLING', 'INSTALLATION', 'RELOCATION', 'OTHER'];

/** The capacity as the form's text fields show it: one slot or crew per line. */
export const slotLines = (c: Capacity) => c.slots.map((s) => `${s.weekday.charAt(0)}${s.weekday.slice(1).toLowerCase()} ${s.start}-${s.end}`).join('\n');
export const crewLines = (c: Capacity) => c.crews.map((k) => `${k.id}: ${k.name}${k.sites.length ? ` @ ${k.sites.join(', ')}` : ''}`).join('\n');

