import type { TenantInfo } from './tenantDirectory.ts';

/** The content of one email; the layout and branding are added around it. */
export interface EmailContent {
  subject: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
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
    ...(content.action ? [`${content.action.label}: ${content.action.url}`, ''] : []),
    `— ${b.companyName}`,
    ...(contact ? [contact] : []),
  ].join('\n');
  const html = `<!doctype html><html><body style="margin:0;background:#f5f5f5;font-family:Arial,Helvetica,sans-serif;color:#1f2937">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:${primary};color:#ffffff;padding:16px 24px;font-size:18px;font-weight:bold">${escapeHtml(b.companyName)}</td></tr>
<tr><td style="padding:24px"><h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(content.heading)}</h1>
${content.paragraphs.map((p) => `<p style="margin:0 0 12px;line-height:1.5">${escapeHtml(p)}</p>`).join('\n')}
${content.action ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="background:${primary};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(content.action.label)}</a></p>` : ''}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280">${escapeHtml(b.companyName)}${contact ? ` · ${escapeHtml(contact)}` : ''}${b.footerText ? `<br>${escapeHtml(b.footerText)}` : ''}</td></tr>
</table></td></tr></table></body></html>`;
  return { subject: content.subject, text, html };
}
