import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

describe('limited Markdown', () => {
  it('renders the supported constructs', () => {
    expect(renderMarkdown('**bold** and *it* and `x<y`')).toBe('<p><strong>bold</strong> and <em>it</em> and <code>x&lt;y</code></p>');
    expect(renderMarkdown('- one\n- two')).toBe('<ul><li>one</li><li>two</li></ul>');
    expect(renderMarkdown('[site](https://example.com/a)')).toContain('<a href="https://example.com/a" rel="noopener noreferrer nofollow"');
    expect(renderMarkdown('a\nb\n\nc')).toBe('<p>a<br>b</p><p>c</p>');
  });

  it('never lets markup or script URLs through', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(1)</script> [y](https://a.example/" onclick="x)');
    expect(html).not.toMatch(/<img|<script|javascript:<\/a>|href="javascript|onclick="/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
