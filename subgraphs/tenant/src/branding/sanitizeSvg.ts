import sanitizeHtml from 'sanitize-html';

/** SVG elements a logo needs: shapes, text, gradients, groups and clipping. No script, no foreignObject, no animation. */
const TAGS = [
  'svg', 'g', 'defs', 'title', 'desc', 'symbol', 'use',
  'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon',
  'text', 'tspan', 'lineargradient', 'radialgradient', 'stop', 'clippath', 'mask', 'pattern',
];

const ATTRIBUTES = [
  'id', 'class', 'xmlns', 'xmlns:xlink', 'version', 'viewbox', 'width', 'height', 'x', 'y', 'x1', 'y1', 'x2', 'y2',
  'cx', 'cy', 'r', 'rx', 'ry', 'd', 'points', 'fill', 'fill-opacity', 'fill-rule', 'clip-rule', 'stroke',
  'stroke-width', 'stroke-opacity', 'stroke-linecap', 'stroke-linejoin', 'stroke-miterlimit', 'stroke-dasharray',
  'stroke-dashoffset', 'opacity', 'transform', 'offset', 'stop-color', 'stop-opacity', 'gradientunits',
  'gradienttransform', 'spreadmethod', 'fx', 'fy', 'clip-path', 'clippathunits', 'mask', 'maskunits',
  'patternunits', 'patterntransform', 'preserveaspectratio', 'font-family', 'font-size', 'font-weight',
  'font-style', 'text-anchor', 'dominant-baseline', 'letter-spacing', 'role', 'aria-label', 'aria-hidden',
  'focusable', 'style', 'href', 'xlink:href', 'xml:space', 'dx', 'dy', 'visibility', 'display',
];
const TAG_SET = new Set(TAGS);
const ATTRIBUTE_SET = new Set(ATTRIBUTES);

export type SvgResult = { ok: true; svg: string } | { ok: false; message: string };

/** References inside the file only (`#id`); `url(#id)` in paint attributes likewise. */
function attributeProblem(name: string, value: string): string | null {
  if (!ATTRIBUTE_SET.has(name)) return `the attribute ${name}`;
  if ((name === 'href' || name === 'xlink:href') && !/^#[\w-]+$/.test(value.trim())) return `a link to ${value.slice(0, 60)}`;
  if (name === 'style' && /[\\@<]|behavior|binding/i.test(value)) return 'the style attribute';
  if (/url\(\s*['"]?(?!#)/i.test(value) || /javascript:|data:|expression\(/i.test(value)) return `the value of ${name}`;
  return null;
}

/**
 * Checks an uploaded SVG against an allow-list and re-prints it with sanitize-html. SVG can carry
 * script (elements, event attributes, links, external references); a file with any of that is
 * refused outright rather than silently altered.
 */
export function sanitizeSvg(text: string): SvgResult {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, message: 'The SVG may not contain a DOCTYPE or entities.' };
  const problems: string[] = [];
  let root: string | null = null;
  const options: sanitizeHtml.IOptions = {
    allowedTags: TAGS,
    allowedAttributes: { '*': ATTRIBUTES },
    allowedSchemes: [],
    allowedSchemesAppliedToAttributes: [],
    disallowedTagsMode: 'discard',
    parser: { xmlMode: true, lowerCaseTags: false, lowerCaseAttributeNames: false, decodeEntities: true },
    onOpenTag: (name, attribs) => {
      const tag = name.toLowerCase();
      root ??= tag;
      if (!TAG_SET.has(tag)) problems.push(`the element <${name}>`);
      for (const [attr, value] of Object.entries(attribs)) {
        const problem = attributeProblem(attr.toLowerCase(), String(value));
        if (problem) problems.push(problem);
      }
    },
  };
  // Case matters in SVG (viewBox, linearGradient): allow both spellings of every name.
  options.allowedTags = [...TAGS, ...TAGS.map(camel)];
  options.allowedAttributes = { '*': [...ATTRIBUTES, ...ATTRIBUTES.map(camel)] };
  const svg = sanitizeHtml(text.replace(/^\uFEFF/, '').replace(/<\?xml[^>]*\?>/, ''), options).trim();
  if (root !== 'svg') return { ok: false, message: 'The file is not an SVG image.' };
  if (problems.length) return { ok: false, message: `The SVG contains ${[...new Set(problems)].slice(0, 3).join(', ')}, which is not allowed.` };
  if (!svg.startsWith('<svg')) return { ok: false, message: 'The file is not an SVG image.' };
  return { ok: true, svg };
}

const CAMEL: Record<string, string> = {
  viewbox: 'viewBox', lineargradient: 'linearGradient', radialgradient: 'radialGradient', clippath: 'clipPath',
  gradientunits: 'gradientUnits', gradienttransform: 'gradientTransform', spreadmethod: 'spreadMethod',
  clippathunits: 'clipPathUnits', maskunits: 'maskUnits', patternunits: 'patternUnits',
  patterntransform: 'patternTransform', preserveaspectratio: 'preserveAspectRatio',
};
function camel(name: string): string {
  return CAMEL[name] ?? name;
}
