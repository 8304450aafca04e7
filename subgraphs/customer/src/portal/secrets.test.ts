import { describe, expect, it } from 'vitest';
import { inviteCode, inviteCodeHash, temporaryPassword, UNAMBIGUOUS_ALPHABET } from './secrets.ts';

describe('temporary passwords and invite codes', () => {
  it('makes passwords of at least 12 characters with every class and no look-alike characters', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const pw = temporaryPassword();
      expect(pw).toHaveLength(14);
      expect(pw).toMatch(/[A-Z]/);
      expect(pw).toMatch(/[a-z]/);
      expect(pw).toMatch(/[0-9]/);
      expect(pw).toMatch(/[#$%&*+=?@]/);
      expect(pw).not.toMatch(/[0O1lI5S2Z8B]/);
      seen.add(pw);
    }
    expect(seen.size).toBe(500);
    expect(UNAMBIGUOUS_ALPHABET).not.toMatch(/[0O1lI5S2Z8B]/);
    expect(() => temporaryPassword(8)).toThrow();
  });

  it('spreads characters over the whole alphabet (no bias toward the first ones)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of temporaryPassword()) counts.set(c, (counts.get(c) ?? 0) + 1);
    for (const c of UNAMBIGUOUS_ALPHABET) expect(counts.get(c) ?? 0, c).toBeGreaterThan(200);
  });

  it('hashes invite codes the way people type them', () => {
    const code = inviteCode();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(inviteCodeHash(code.toLowerCase().replace(/-/g, ' '))).toBe(inviteCodeHash(code));
    expect(inviteCodeHash(code)).not.toContain(code.replace(/-/g, ''));
  });
});
