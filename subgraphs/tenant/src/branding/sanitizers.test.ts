import { describe, expect, it } from 'vitest';
import { detectImageType } from '../assets/detectImageType.ts';
import { markdownProblem, renderMarkdown } from './renderMarkdown.ts';
import { sanitizeCss } from './sanitizeCss.ts';
import { sanitizeSvg } from './sanitizeSvg.ts';

describe('custom CSS', () => {
  it('keeps ordinary rules and media queries, minus comments', () => {
    const r = sanitizeCss('/* hi */ .card { border-radius: 0; background: url(/assets/a.png) } @media (min-width: 40rem) { h1 { font-size: 2rem } }');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.css).not.toContain('hi');
      expect(r.css).toContain('@media (min-width: 40rem)');
      expect(r.css).toContain('url(/assets/a.png)');
    }
  });

  it.each([
    '@import "x.css";',
    '@charset "utf-8"; a{}',
    'a { background: url(https://x.example/a.png) }',
    'a { background: URL( "//x.example/a.png" ) }',
    'a { width: expression(alert(1)) }',
    'a { behavior: url(/x.htc) }',
    'a { color: red } </style><script>',
    'a { content: "\\3c/style>" }',
    'a { background-image: image-set("https://x.example/a.png" 1x) }',
    '@media screen { a { background: url(http://x.example) } }',
    '@namespace svg url(http://www.w3.org/2000/svg);',
  ])('refuses %s', (css) => {
    expect(sanitizeCss(css).ok).toBe(false);
  });
});

describe('limited Markdown', () => {
  it('renders emphasis, lists and safe links only', () => {
    expect(renderMarkdown('**bold** and [mail](mailto:a@b.example)')).toBe('<p><strong>bold</strong> and <a href="mailto:a@b.example" rel="noopener nofollow">mail</a></p>');
    expect(renderMarkdown('# Heading\n\n![img](https://x.example/a.png)')).not.toMatch(/<h1|<img/);
  });

  it('escapes HTML even if it was stored before the checks', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toContain('href');
  });

  it('names the problem with hostile Markdown', () => {
    expect(markdownProblem('<b onmouseover=alert(1)>x</b>')).toMatch(/HTML/);
    expect(markdownProblem('[x](javascript:alert(1))')).toMatch(/https/);
    expect(markdownProblem('[x](JaVaScRiPt:alert(1))')).toMatch(/https/);
    expect(markdownProblem('Plain **text** with [a link](https://ok.example)')).toBeNull();
  });
});

describe('SVG', () => {
  it('keeps a plain logo, case-sensitive names included', () => {
    const r = sanitizeSvg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><clipPath id="c"><rect width="4" height="4"/></clipPath><g clip-path="url(#c)"><circle cx="2" cy="2" r="2" style="fill: #123456"/></g></svg>');
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.svg).toContain('viewBox="0 0 4 4"');
  });

  it.each([
    '<svg><script>alert(1)</script></svg>',
    '<svg onload="alert(1)"></svg>',
    '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><image href="https://x.example/a.png"/></svg>',
    '<svg><rect style="background: url(https://x.example)"/></svg>',
    '<svg><set attributeName="onload" to="alert(1)"/></svg>',
    '<html><body>not svg</body></html>',
  ])('refuses %s', (svg) => {
    expect(sanitizeSvg(svg).ok).toBe(false);
  });
});

describe('image type by content', () => {
  it('goes by magic bytes, not by anything declared', () => {
    expect(detectImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(detectImageType(Buffer.from('GIF89a'))).toBeNull();
    expect(detectImageType(Buffer.from('<html><svg></svg></html>'))).toBeNull();
    expect(detectImageType(Buffer.from('  <svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('svg');
    expect(detectImageType(Buffer.from([0, 0, 1, 0, 0, 0]))).toBeNull();
  });
});
