import replyParser from 'node-email-reply-parser';

/**
 * The reply sits at the top; past this the text is quoted history, or a reply too long to post
 * anyway (a message holds 10 000 characters). The cap bounds the parser's work, which grows faster
 * than the text on some inputs.
 */
const MAX_PARSED_CHARS = 16_000;

/**
 * Outlook's plain-text header of the message replied to: `From: …` followed within three lines
 * by `Sent: …` or `Date: …`. The parser recognises it only when the From line carries an address.
 */
const OUTLOOK_HEADER = /^[ \t]*\*?From:\*?[ \t]+\S.*\n(?:.*\n){0,2}?[ \t]*\*?(?:Sent|Date):\*?[ \t]+\S/im;

/**
 * What the customer wrote in an emailed reply: the text without the quoted message ("On … wrote:",
 * `>` lines, Outlook's "From: … Sent: …" block, "Original Message") and without the signature
 * (`-- ` and the usual sign-offs), trimmed. Empty when nothing is left.
 */
export function replyText(text: string): string {
  // Blank runs say nothing and cost the parser the most: one empty line stands for each.
  let t = text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .slice(0, MAX_PARSED_CHARS);
  const outlook = OUTLOOK_HEADER.exec(t);
  if (outlook) t = t.slice(0, outlook.index);
  return replyParser(t, true)
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
