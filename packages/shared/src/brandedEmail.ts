import type { TenantInfo } from './tenantDirectory.ts';

/** The content of one email; the layout and branding are added around it. */
export interface EmailContent {
  subject: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** A quoted block after the paragraphs (e.g. the reply being announced), kept apart in HTML. */
  quote?: string | null;
  /** Absolute address of the WISP's logo, shown in the header of the HTML part. */
  logoUrl?: string | null;
  /** Links in the footer, e.g. unsubscribe. */
  footerLinks?: { label: string; url: string }[];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const hex = (s: string | undefined, fallback: string) => (s && /^#[0-9a-f]{3,8}$/i.test(s) ? s : fallback);

/**
 * Renders an email in the tenant's name and colours. Nothing in it names the platform: the
 * sender, signature and footer are the WISP's own.
 */
export function renderBrandedEmail(tenant: Pick<TenantInfo, 'branding'>, content: EmailContent): { subject: string; text: string; html: string } {
  const b = tenant.branding;
  const primary = hex(b.colors?.primary, '#1f2937');
  const contact = [b.supportEmail, b.supportPhone, b.supportHours].filter(Boolean).join(' · ');
  const text = [
    content.heading,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    ...(content.quote ? [...content.quote.split('\n').map((l) => `  ${l}`), ''] : []),
    ...(content.action ? [`${content.action.label}: ${content.action.url}`, ''] : []),
    `— ${b.companyName}`,
    ...(contact ? [contact] : []),
    ...(content.footerLinks ?? []).map((l) => `${l.label}: ${l.url}`),
  ].join('\n');
  const logo = content.logoUrl && /^https?:\/\//.test(content.logoUrl) ? `<img src="${escapeHtml(content.logoUrl)}" alt="" height="32" style="vertical-align:middle;margin-right:12px;max-height:32px">` : '';
  const footerLinks = (content.footerLinks ?? []).map((l) => `<br><a href="${escapeHtml(l.url)}" style="color:#6b7280">${escapeHtml(l.label)}</a>`).join('');
  const html = `<!doctype html><html><body style="margin:0;background:#f5f5f5;font-family:Arial,Helvetica,sans-serif;color:#1f2937">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:${primary};color:#ffffff;padding:16px 24px;font-size:18px;font-weight:bold">${logo}${escapeHtml(b.companyName)}</td></tr>
<tr><td style="padding:24px"><h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(content.heading)}</h1>
${content.paragraphs.map((p) => `<p style="margin:0 0 12px;line-height:1.5">${escapeHtml(p)}</p>`).join('\n')}
${content.quote ? `<blockquote style="margin:0 0 12px;padding:8px 12px;border-left:3px solid ${primary};color:#374151;white-space:pre-wrap">${escapeHtml(content.quote)}</blockquote>` : ''}
${content.action ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="background:${primary};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(content.action.label)}</a></p>` : ''}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280">${escapeHtml(b.companyName)}${contact ? ` · ${escapeHtml(contact)}` : ''}${b.footerText ? `<br>${escapeHtml(b.footerText)}` : ''}${footerLinks}</td></tr>
</table></td></tr></table></body></html>`;
  return { subject: content.subject, text, html };
}
