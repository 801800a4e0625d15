import { UPLOAD_MAX_BYTES, UPLOAD_MIME_TYPES } from '@/contracts';

export type UploadMimeType = (typeof UPLOAD_MIME_TYPES)[number];

/** The `accept` attribute of the file input: the accepted types and their usual extensions. */
export const UPLOAD_ACCEPT = [
  ...UPLOAD_MIME_TYPES,
  '.pdf',
  '.txt',
  '.md',
  '.markdown',
  '.png',
  '.jpg',
  '.jpeg',
].join(',');

const BY_EXTENSION: Record<string, UploadMimeType> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

export type UploadCheck =
  | { ok: true; mimeType: UploadMimeType }
  | { ok: false; reason: 'too_large' | 'unsupported_type' | 'empty'; message: string };

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

function isAccepted(type: string): type is UploadMimeType {
  return (UPLOAD_MIME_TYPES as readonly string[]).includes(type);
}

/** The type the agent will be told: the browser's, or (when it has none, as for `.md` files on
 * many systems) the one the file name implies. */
export function uploadMimeType(file: Pick<File, 'name' | 'type'>): string {
  const declared = file.type.split(';')[0]!.trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream') {
    return declared === 'image/jpg' ? 'image/jpeg' : declared;
  }
  const ext = file.name.toLowerCase().split('.').pop() ?? '';
  return BY_EXTENSION[ext] ?? declared;
}

/** Client-side check before sending; the agent checks again (size while reading, content). */
export function validateUpload(
  file: Pick<File, 'name' | 'type' | 'size'>,
  maxBytes: number = UPLOAD_MAX_BYTES,
): UploadCheck {
  const mimeType = uploadMimeType(file);
  if (!isAccepted(mimeType)) {
    return {
      ok: false,
      reason: 'unsupported_type',
      message: `${file.name}: this file type can't be shared. Use PDF, text, Markdown, PNG or JPEG.`,
    };
  }
  if (file.size === 0) {
    return { ok: false, reason: 'empty', message: `${file.name} is empty.` };
  }
  if (file.size > maxBytes) {
    return {
      ok: false,
      reason: 'too_large',
      message: `${file.name} is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}.`,
    };
  }
  return { ok: true, mimeType };
}
