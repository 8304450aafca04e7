import { describe, expect, it } from 'vitest';
import { crossSiteFormPost } from '../src/lib/server/csrf.ts';

const url = new URL('https://portal.skyline.example/tickets/1?/send');
const post = (headers: Record<string, string>, method = 'POST') => new Request(url, { method, headers, body: method === 'GET' ? undefined : 'x=1' });

describe('cross-site form posts', () => {
  it('are refused unless the Origin is the portal’s own host', () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(crossSiteFormPost(post({ ...form, origin: 'https://portal.skyline.example' }), url)).toBe(false);
    // Development serves plain http behind no proxy: the host decides, not the scheme.
    expect(crossSiteFormPost(post({ ...form, origin: 'http://portal.skyline.example' }), url)).toBe(false);
    expect(crossSiteFormPost(post({ ...form, origin: 'https://evil.example' }), url)).toBe(true);
    expect(crossSiteFormPost(post({ ...form, origin: 'https://my.prairieair.example' }), url)).toBe(true);
    expect(crossSiteFormPost(post({ ...form, origin: 'null' }), url)).toBe(true);
    expect(crossSiteFormPost(post(form), url)).toBe(true);
    expect(crossSiteFormPost(post({ 'content-type': 'multipart/form-data; boundary=x', origin: 'https://evil.example' }), url)).toBe(true);
    expect(crossSiteFormPost(post({ 'content-type': 'text/plain', origin: 'https://evil.example' }), url)).toBe(true);
  });

  it('leave JSON and reads alone (a cross-site JSON post needs a CORS preflight the portal never grants)', () => {
    expect(crossSiteFormPost(post({ 'content-type': 'application/json', origin: 'https://evil.example' }), url)).toBe(false);
    expect(crossSiteFormPost(new Request(url), url)).toBe(false);
  });
});
