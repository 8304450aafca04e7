import { SUPPORTED_LANGUAGES } from '@wisp/shared';
import { renderMarkdown } from '../branding/renderMarkdown.ts';

interface BrandingParent {
  faq?: { question: string; answer: string }[] | null;
  contact?: string | null;
  version?: number | null;
  portalLanguages?: string[] | null;
}

/** The languages chosen, or every supported one when the WISP chose none. */
const portalLanguages = (b: BrandingParent) => (b.portalLanguages?.length ? b.portalLanguages : SUPPORTED_LANGUAGES.map((l) => l.code));

export const Branding = {
  faq: (b: BrandingParent) => b.faq ?? [],
  contactHtml: (b: BrandingParent) => (b.contact ? renderMarkdown(b.contact) : null),
  version: (b: BrandingParent) => b.version ?? 0,
  portalLanguages,
};

export const PortalBranding = {
  faq: (b: BrandingParent) => b.faq ?? [],
  portalLanguages,
  contactHtml: (b: BrandingParent) => (b.contact ? renderMarkdown(b.contact) : null),
};

export const FaqEntry = {
  answerHtml: (e: { answer: string }) => renderMarkdown(e.answer),
};
