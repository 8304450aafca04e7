import type { NotificationLanguage } from '$lib/languages';

export interface BrandColorsDraft {
  primary: string;
  secondary: string;
  accent: string;
  background: string;
  text: string;
}

/** What the WISP's messages to customers go out as; empty strings for unset fields. */
export interface NotificationDraft {
  timeZone: string;
  defaultLanguage: string;
  /** The languages the portal offers its customers; all of them offers every supported language. */
  portalLanguages: string[];
  mailFromName: string;
  mailFromAddress: string;
  smsSenderId: string;
}

/** The editable branding, as the form holds it (empty strings for unset optional fields). */
export interface BrandingDraft {
  companyName: string;
  displayName: string;
  logoUrl: string;
  logoAlt: string;
  faviconUrl: string;
  colors: BrandColorsDraft;
  supportEmail: string;
  supportPhone: string;
  supportHours: string;
  website: string;
  paymentPageUrl: string;
  welcomeMessage: string;
  footerText: string;
  customCss: string;
  faq: { question: string; answer: string }[];
  contact: string;
  notifications: NotificationDraft;
}

export interface StoredBranding extends Omit<BrandingDraft, 'notifications' | 'logoUrl' | 'faviconUrl' | 'supportEmail' | 'supportPhone' | 'supportHours' | 'website' | 'paymentPageUrl' | 'welcomeMessage' | 'footerText' | 'customCss' | 'contact'> {
  logoUrl: string | null;
  faviconUrl: string | null;
  supportEmail: string | null;
  supportPhone: string | null;
  supportHours: string | null;
  website: string | null;
  paymentPageUrl: string | null;
  welcomeMessage: string | null;
  footerText: string | null;
  customCss: string | null;
  contact: string | null;
  timeZone: string | null;
  defaultLanguage: string | null;
  portalLanguages: string[];
  mailFromName: string | null;
  mailFromAddress: string | null;
  smsSenderId: string | null;
  version: number;
}

const BRANDING_FIELDS = `
  companyName displayName logoUrl logoAlt faviconUrl
  colors { primary secondary accent background text }
  supportEmail supportPhone supportHours website paymentPageUrl welcomeMessage footerText customCss
  faq { question answer }
  contact version
  timeZone defaultLanguage portalLanguages mailFromName mailFromAddress smsSenderId
`;

export interface HistoryEntry {
  id: string;
  version: number;
  action: 'CREATE' | 'UPDATE' | 'RESTORE';
  restoredFromVersion: number | null;
  actorRole: string;
  at: string;
  changes: { field: string; from: string | null; to: string | null }[];
}

/** What the editor page loads in one call: the admin's tenant and its branding, the history, the message languages. */
export interface AdminBrandingPage {
  viewer: { role: string; tenant: { id: string; slug: string; branding: StoredBranding } | null } | null;
  brandingHistory: { edges: { node: HistoryEntry }[] };
  notificationLanguages: NotificationLanguage[];
}

export const ADMIN_BRANDING_PAGE = /* GraphQL */ `
  query AdminBrandingPage {
    viewer {
      role
      tenant { id slug branding { ${BRANDING_FIELDS} } }
    }
    brandingHistory(first: 50) {
      edges { node { id version action restoredFromVersion actorRole at changes { field from to } } }
    }
    notificationLanguages { code name }
  }
`;

/** A contrast check as the API names it. */
export interface ContrastResult {
  pair: 'TEXT_ON_BACKGROUND' | 'PRIMARY_BUTTON_TEXT' | 'ACCENT_ON_BACKGROUND' | 'PRIMARY_LINK_ON_BACKGROUND' | 'HERO_TEXT_ON_SECONDARY';
  foreground: string;
  background: string;
  ratio: number;
  passesAA: boolean;
}

export interface SaveResult {
  ok: boolean;
  errors: { field: string; message: string; code: string }[];
  version: number | null;
  contrast: ContrastResult[];
  contrastWarnings: ContrastResult[];
  branding: StoredBranding | null;
}

const SAVE_RESULT_FIELDS = `
  ok
  errors { field message code }
  version
  contrast { pair foreground background ratio passesAA }
  contrastWarnings { pair foreground background ratio passesAA }
  branding { ${BRANDING_FIELDS} }
`;

export const UPDATE_BRANDING = /* GraphQL */ `
  mutation UpdateBranding($input: BrandingInput!, $expectedVersion: Int, $acknowledgeContrastWarnings: Boolean) {
    updateBranding(input: $input, expectedVersion: $expectedVersion, acknowledgeContrastWarnings: $acknowledgeContrastWarnings) { ${SAVE_RESULT_FIELDS} }
  }
`;

export const RESTORE_BRANDING = /* GraphQL */ `
  mutation RestoreBranding($versionId: ID!) {
    restoreBranding(versionId: $versionId) { ${SAVE_RESULT_FIELDS} }
  }
`;

/** A branding form post's answer (the page's `form`). */
export interface BrandingForm {
  /** The form as posted, shown again when nothing was saved. */
  draft?: BrandingDraft | null;
  /** Refusals by field (`colors.primary`, `faq.0.question`, `logoUrl`). */
  errors?: Record<string, string>;
  notice?: { ok: boolean; text: string };
  /** Hard-to-read pairs a save was held back for until the admin confirms. */
  pendingContrast?: ContrastResult[];
  /** The colours just saved, for the page around the editor to take on at once. */
  colors?: BrandColorsDraft;
  /** The field to put the cursor in. */
  focus?: string;
  uploaded?: { field: 'logoUrl' | 'faviconUrl'; url: string };
  uploadError?: { field: 'logoUrl' | 'faviconUrl'; message: string };
}

export function toDraft(b: StoredBranding): BrandingDraft {
  return {
    companyName: b.companyName,
    displayName: b.displayName,
    logoUrl: b.logoUrl ?? '',
    logoAlt: b.logoAlt ?? '',
    faviconUrl: b.faviconUrl ?? '',
    colors: pickColors(b.colors),
    supportEmail: b.supportEmail ?? '',
    supportPhone: b.supportPhone ?? '',
    supportHours: b.supportHours ?? '',
    website: b.website ?? '',
    paymentPageUrl: b.paymentPageUrl ?? '',
    welcomeMessage: b.welcomeMessage ?? '',
    footerText: b.footerText ?? '',
    customCss: b.customCss ?? '',
    faq: b.faq.map(({ question, answer }) => ({ question, answer })),
    contact: b.contact ?? '',
    notifications: {
      timeZone: b.timeZone ?? '',
      defaultLanguage: b.defaultLanguage ?? '',
      portalLanguages: [...(b.portalLanguages ?? [])],
      mailFromName: b.mailFromName ?? '',
      mailFromAddress: b.mailFromAddress ?? '',
      smsSenderId: b.smsSenderId ?? '',
    },
  };
}

// Query results carry `__typename`, which an input type refuses: copy the fields by name.
function pickColors(c: BrandColorsDraft): BrandColorsDraft {
  return { primary: c.primary, secondary: c.secondary, accent: c.accent, background: c.background, text: c.text };
}

/** The mutation input for a draft: every field, so the server records exactly what differs. */
export function toInput(d: BrandingDraft): Record<string, unknown> {
  return {
    companyName: d.companyName,
    displayName: d.displayName,
    logoUrl: d.logoUrl,
    logoAlt: d.logoAlt,
    faviconUrl: d.faviconUrl,
    colors: pickColors(d.colors),
    supportEmail: d.supportEmail,
    supportPhone: d.supportPhone,
    supportHours: d.supportHours,
    website: d.website,
    paymentPageUrl: d.paymentPageUrl,
    welcomeMessage: d.welcomeMessage,
    footerText: d.footerText,
    customCss: d.customCss,
    faq: d.faq.map(({ question, answer }) => ({ question, answer })),
    contact: d.contact,
    ...d.notifications,
  };
}

/** Text as a browser posts it (lines end in CRLF) back in the form it was shown in. */
const posted = (form: FormData, name: string) => String(form.get(name) ?? '').replace(/\r\n?/g, '\n');

/**
 * The form as posted, in the shape the editor holds it. Questions come in the order of their
 * numbers; an entry left empty (the blank one offered without scripts, or one cleared) is dropped.
 */
export function draftOf(form: FormData): BrandingDraft {
  const faqIndexes = [...new Set([...form.keys()].map((k) => /^faq\.(\d{1,3})\.(question|answer)$/.exec(k)?.[1]).filter((i): i is string => i !== undefined).map(Number))].sort((a, b) => a - b);
  return {
    companyName: posted(form, 'companyName'),
    displayName: posted(form, 'displayName'),
    logoUrl: posted(form, 'logoUrl'),
    logoAlt: posted(form, 'logoAlt'),
    faviconUrl: posted(form, 'faviconUrl'),
    colors: {
      primary: posted(form, 'colors.primary'),
      secondary: posted(form, 'colors.secondary'),
      accent: posted(form, 'colors.accent'),
      background: posted(form, 'colors.background'),
      text: posted(form, 'colors.text'),
    },
    supportEmail: posted(form, 'supportEmail'),
    supportPhone: posted(form, 'supportPhone'),
    supportHours: posted(form, 'supportHours'),
    website: posted(form, 'website'),
    paymentPageUrl: posted(form, 'paymentPageUrl'),
    welcomeMessage: posted(form, 'welcomeMessage'),
    footerText: posted(form, 'footerText'),
    customCss: posted(form, 'customCss'),
    faq: faqIndexes
      .map((i) => ({ question: posted(form, `faq.${i}.question`), answer: posted(form, `faq.${i}.answer`) }))
      .filter((e) => e.question.trim() || e.answer.trim()),
    contact: posted(form, 'contact'),
    notifications: {
      timeZone: posted(form, 'timeZone'),
      defaultLanguage: posted(form, 'defaultLanguage'),
      portalLanguages: form.getAll('portalLanguages').map(String),
      mailFromName: posted(form, 'mailFromName'),
      mailFromAddress: posted(form, 'mailFromAddress'),
      smsSenderId: posted(form, 'smsSenderId'),
    },
  };
}

const FIELD_LABELS: Record<string, string> = {
  companyName: 'Company name',
  displayName: 'Portal title',
  logoUrl: 'Logo',
  logoAlt: 'Logo alt text',
  faviconUrl: 'Favicon',
  supportEmail: 'Support email',
  supportPhone: 'Support phone',
  supportHours: 'Support hours',
  website: 'Website',
  paymentPageUrl: 'Payment page',
  welcomeMessage: 'Welcome message',
  footerText: 'Footer text',
  customCss: 'Custom CSS',
  faq: 'FAQ',
  contact: 'Contact block',
  timeZone: 'Time zone',
  defaultLanguage: 'Default language',
  portalLanguages: 'Portal languages',
  mailFromName: 'Email from name',
  mailFromAddress: 'Email from address',
  smsSenderId: 'SMS sender id',
  expectedVersion: 'Version',
  'colors.primary': 'Primary colour',
  'colors.secondary': 'Secondary colour',
  'colors.accent': 'Accent colour',
  'colors.background': 'Background colour',
  'colors.text': 'Text colour',
};

/** What each contrast pair is, in the words of the admin's editor (local names and API names). */
export const CONTRAST_LABELS: Record<string, string> = {
  'text/background': 'Text on background',
  'primary/onPrimary': 'Button text on primary colour',
  'accent/background': 'Accent on background',
  'primary/background': 'Links (primary colour) on background',
  'onPrimary/hero': 'Page headings on the primary–secondary band',
  TEXT_ON_BACKGROUND: 'Text on background',
  PRIMARY_BUTTON_TEXT: 'Button text on primary colour',
  ACCENT_ON_BACKGROUND: 'Accent on background',
  PRIMARY_LINK_ON_BACKGROUND: 'Links (primary colour) on background',
  HERO_TEXT_ON_SECONDARY: 'Page headings on the primary–secondary band',
};

/** The error a save refused only for hard-to-read colours carries (the server's `colors` field). */
export function onlyContrastRefused(result: SaveResult): boolean {
  return !result.ok && result.contrastWarnings.length > 0 && result.errors.length === 1 && result.errors[0]!.field === 'colors';
}

export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field.replace(/^faq\.(\d+)\.(\w+)$/, (_, i: string, f: string) => `FAQ ${Number(i) + 1} ${f}`);
}
