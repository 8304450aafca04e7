/** A new tenant's branding until its admins change it: no vendor name, calm colours. */
export const NEUTRAL_BRANDING = {
  logoAlt: '',
  colors: { primary: '#3a4a5c', secondary: '#5b6b7d', accent: '#2f6da3', background: '#f5f6f8', text: '#1c2430' },
  faq: [] as { question: string; answer: string }[],
};
