import postcss, { type AtRule, type ChildNode, type Root } from 'postcss';

/** Largest custom CSS accepted. @default 20 000 characters */
export const MAX_CUSTOM_CSS = 20_000;

/** At-rules that only group ordinary rules; everything else (@import, @font-face, @namespace…) is refused. */
const ALLOWED_AT_RULES = new Set(['media', 'supports', 'keyframes', '-webkit-keyframes']);

/** Property names that have run script or bound behaviours in some browser. */
const FORBIDDEN_PROPERTY = /^(?:behavior|-moz-binding|-ms-behavior)$/i;

/**
 * Values that reach outside the page: `expression()` (old IE script), `javascript:` and friends,
 * `image-set()`/`src()` (further ways to load a URL), and escapes, which could spell any of them.
 */
const FORBIDDEN_VALUE = /expression\s*\(|javascript:|vbscript:|data:|image-set\s*\(|(?:^|[^-\w])src\s*\(|\\/i;

export type CssResult = { ok: true; css: string } | { ok: false; message: string };

function checkUrls(value: string): string | null {
  const urls = value.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/gi);
  for (const [, , target] of urls) {
    // Only the portal's own paths: a url() to another host would leak visitors to it.
    if (!target || !target.startsWith('/') || target.startsWith('//')) return `url(${target ?? ''}) points outside this portal; only paths such as /assets/… are allowed.`;
  }
  if (/url\(/i.test(value.replace(/url\(\s*(['"]?)\/(?!\/)[^'")]*\1\s*\)/gi, ''))) return 'A url() could not be read.';
  return null;
}

function walk(nodes: ChildNode[] | undefined, problems: string[]) {
  for (const node of nodes ?? []) {
    if (node.type === 'comment') {
      node.remove();
      continue;
    }
    if (node.type === 'atrule') {
      const at = node as AtRule;
      if (!ALLOWED_AT_RULES.has(at.name.toLowerCase())) problems.push(`@${at.name} is not allowed.`);
      else if (FORBIDDEN_VALUE.test(at.params) || /url\(/i.test(at.params)) problems.push(`@${at.name} ${at.params} is not allowed.`);
      walk(at.nodes, problems);
      continue;
    }
    if (node.type === 'rule') {
      if (FORBIDDEN_VALUE.test(node.selector)) problems.push(`The selector ${node.selector} is not allowed.`);
      walk(node.nodes, problems);
      continue;
    }
    if (node.type === 'decl') {
      if (FORBIDDEN_PROPERTY.test(node.prop)) problems.push(`The property ${node.prop} is not allowed.`);
      else if (FORBIDDEN_VALUE.test(node.value)) problems.push(`The value of ${node.prop} is not allowed.`);
      else {
        const urlProblem = checkUrls(node.value);
        if (urlProblem) problems.push(urlProblem);
      }
    }
  }
}

/**
 * Parses a tenant's custom CSS with postcss and re-prints it, refusing anything outside the safe
 * subset: no @import or other loading at-rules, no url() to other hosts, no expression(),
 * no script URLs, no escapes and nothing that could close the `<style>` element it is put in.
 */
export function sanitizeCss(source: string): CssResult {
  if (source.length > MAX_CUSTOM_CSS) return { ok: false, message: `Custom CSS may be at most ${MAX_CUSTOM_CSS} characters.` };
  // `<` has no use in the selectors and values allowed here; refusing it means no `</style>` or `<!--`.
  if (source.includes('<')) return { ok: false, message: 'Custom CSS may not contain "<".' };
  let root: Root;
  try {
    root = postcss.parse(source);
  } catch (err) {
    const reason = err instanceof Error && 'reason' in err ? String((err as { reason: unknown }).reason) : 'it could not be parsed';
    return { ok: false, message: `Custom CSS is not valid: ${reason}.` };
  }
  const problems: string[] = [];
  walk(root.nodes, problems);
  if (problems.length) return { ok: false, message: problems.slice(0, 3).join(' ') };
  const css = root.toString().trim();
  return { ok: true, css };
}
