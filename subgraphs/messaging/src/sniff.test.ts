import { describe, expect, it } from 'vitest';
import { sniffContentType } from './sniff.ts';

describe('file type by content', () => {
  it('recognises the accepted types by their first bytes', () => {
    expect(sniffContentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffContentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffContentType(Buffer.from('GIF89a....'))).toBe('image/gif');
    expect(sniffContentType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffContentType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
  });

  it('refuses everything else, whatever it is called', () => {
    for (const s of ['<svg xmlns="http://www.w3.org/2000/svg"/>', '<html><script>', 'MZ\x90\0', 'PK\x03\x04', '']) {
      expect(sniffContentType(Buffer.from(s, 'latin1'))).toBeNull();
    }
  });
});
