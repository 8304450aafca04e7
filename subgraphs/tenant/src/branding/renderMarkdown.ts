import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Limited Markdown for FAQ answers and the contact block: paragraphs, emphasis, lists, inline code
 * and links (https, mailto, tel). No raw HTML, images, headings or tables.
 */
const renderer = new MarkdownIt('zero', { html: false, linkify: false, breaks: true }).enable([
  'paragraph',
  'newline',
  'emphasis',
  'list',
  'link',
  'backticks',
  'escape',
]);
const inspector = new MarkdownIt('zero', { html: true }).enable(['paragraph', 'list', 'link', 'html_inline', 'html_block', 'emphasis']);

const SAFE_LINK = /^(?:https:\/\/|mailto:|tel:)/i;

const allowList: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'ul', 'ol', 'li', 'code', 'a'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['https', 'mailto', 'tel'],
  allowProtocolRelative: false,
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener nofollow' }) },
};

/** Why `source` is refused (raw HTML, a link to a script or another scheme), or null when it is acceptable. */
export function markdownProblem(source: string): string | null {
  const tokens = inspector.parse(source, {});
  for (const token of tokens) {
    if (token.type === 'html_block') return 'HTML is not allowed; use Markdown.';
    for (const child of token.children ?? []) {
      if (child.type === 'html_inline') return 'HTML is not allowed; use Markdown.';
      if (child.type === 'link_open') {
        const href = child.attrGet('href') ?? '';
        if (!SAFE_LINK.test(href)) return `Links must start with https:, mailto: or tel: (got "${href.slice(0, 60)}").`;
      }
    }
  }
  // markdown-it refuses to link javascript: and similar URLs and leaves the text; catch those too.
  if (/\]\(\s*<?\s*(?:javascript|vbscript|data|file):/i.test(source)) return 'Links must start with https:, mailto: or tel:.';
  return null;
}

/** Renders limited Markdown to HTML that is safe to insert into a page (sanitised again after rendering). */
export function renderMarkdown(source: string | null | undefined): string {
  if (!source) return '';
  return sanitizeHtml(renderer.render(source), allowList).trim();
}
