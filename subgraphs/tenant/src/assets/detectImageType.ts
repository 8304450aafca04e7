/** The image types a logo or favicon may be, with the extension its URL gets. */
export const IMAGE_TYPES = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
} as const;
export type ImageExt = keyof typeof IMAGE_TYPES;

/** Largest upload accepted. @default 1 MiB */
export const MAX_ASSET_BYTES = 1024 * 1024;

const startsWith = (data: Buffer, bytes: number[], at = 0) => bytes.every((b, i) => data[at + i] === b);

/**
 * The type of an upload, judged by its content (magic bytes), never by its name or declared type.
 * SVG is text: it is recognised by an `<svg` root and must then pass the SVG sanitiser.
 */
export function detectImageType(data: Buffer): ImageExt | null {
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  // ICO: reserved 0, type 1, at least one image.
  if (data.length >= 6 && startsWith(data, [0x00, 0x00, 0x01, 0x00]) && data.readUInt16LE(4) > 0) return 'ico';
  const head = data.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head)) return 'svg';
  return null;
}
