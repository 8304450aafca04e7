import { renderMarkdown } from '../branding/renderMarkdown.ts';

interface BrandingParent {
  faq?: { question: string; answer: string }[] | null;
  contact?: string | null;
  version?: number | null;
}

export const Branding = {
  faq: (b: BrandingParent) => b.faq ?? [],
  contactHtml: (b: BrandingParent) => (b.contact ? renderMarkdown(b.contact) : null),
  version: (b: BrandingParent) => b.version ?? 0,
};

export const PortalBranding = {
  faq: (b: BrandingParent) => b.faq ?? [],
  contactHtml: (b: BrandingParent) => (b.contact ? renderMarkdown(b.contact) : null),
};

export const FaqEntry = {
  answerHtml: (e: { answer: string }) => renderMarkdown(e.answer),
};
