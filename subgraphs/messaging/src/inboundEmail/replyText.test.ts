import { describe, expect, it } from 'vitest';
import { replyText } from './replyText.ts';

describe('replyText', () => {
  it('keeps the reply above a Gmail-style quote and drops the signature', () => {
    const text = [
      'The radio is back.',
      '',
      'Thanks!',
      '',
      'On Tue, Dec 1, 2026 at 10:00 AM Skyline Support <reply+abc@reply.example> wrote:',
      '> Is the light green?',
      '',
      '-- ',
      'Alice',
    ].join('\r\n');
    expect(replyText(text)).toBe('The radio is back.\n\nThanks!');
  });

  it('drops an Outlook header block, with or without addresses', () => {
    const withAddress = 'It works.\n\n________________________________\nFrom: Skyline Support <support@skyline.example>\nSent: Tuesday, December 1, 2026 10:00 AM\nTo: Alice\nSubject: RE: x\n\nOld text';
    const without = 'It works.\n\nFrom: Skyline Support\nSent: Tuesday, December 1, 2026 10:00 AM\nTo: Alice\n\nOld text';
    expect(replyText(withAddress)).toBe('It works.');
    expect(replyText(without)).toBe('It works.');
  });

  it('drops "Original Message" blocks and bare quoted lines', () => {
    expect(replyText('Yes.\n\n-----Original Message-----\nFrom: x\nOld')).toBe('Yes.');
    expect(replyText('Sure\n\n> old\n> older')).toBe('Sure');
  });

  it('is empty when only the quote and signature are there', () => {
    expect(replyText('\n\nOn Tue, Dec 1, 2026 Support <s@x.example> wrote:\n> hi\n\n-- \nAlice\n')).toBe('');
    expect(replyText('')).toBe('');
  });

  it('keeps words that merely look like a header inside the reply', () => {
    expect(replyText('From: my side the light is red.\nIt blinks twice.')).toBe('From: my side the light is red.\nIt blinks twice.');
  });

  it('reads a huge pasted text in bounded time', () => {
    const started = Date.now();
    const out = replyText(`${'line of text '.repeat(10)}\n`.repeat(50_000));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out.length).toBeLessThanOrEqual(16_000);
  });
});
