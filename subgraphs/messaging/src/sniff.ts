/** File types we accept, recognised by their first bytes (never by name or declared type). */
export function sniffContentType(head: Buffer): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (head.subarray(0, 6).toString('latin1') === 'GIF87a' || head.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

/** Largest accepted file. @default 10 MiB */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Bytes per stored chunk, well under the 16 MB document limit. @default 4 MiB - 1 KiB */
export const CHUNK_BYTES = 4 * 1024 * 1024 - 1024;
