import { describe, expect, it } from 'vitest';
import { UPLOAD_MAX_BYTES } from '@/contracts';
import { formatBytes, uploadMimeType, validateUpload } from './validate-upload';

const file = (name: string, type: string, size = 100) => ({ name, type, size });

describe('validateUpload', () => {
  it('accepts the contract types within the size limit', () => {
    for (const [name, type] of [
      ['a.pdf', 'application/pdf'],
      ['a.txt', 'text/plain'],
      ['a.md', 'text/markdown'],
      ['a.png', 'image/png'],
      ['a.jpg', 'image/jpeg'],
    ] as const) {
      expect(validateUpload(file(name, type))).toEqual({ ok: true, mimeType: type });
    }
  });

  it('falls back to the extension when the browser gives no type', () => {
    expect(validateUpload(file('notes.md', ''))).toEqual({ ok: true, mimeType: 'text/markdown' });
    expect(uploadMimeType(file('scan.JPEG', 'application/octet-stream'))).toBe('image/jpeg');
    expect(uploadMimeType(file('a.txt', 'text/plain;charset=utf-8'))).toBe('text/plain');
  });

  it('refuses other types', () => {
    const check = validateUpload(file('movie.mp4', 'video/mp4'));
    expect(check.ok).toBe(false);
    expect(check.ok ? null : check.reason).toBe('unsupported_type');
    expect(validateUpload(file('x.exe', '')).ok).toBe(false);
    expect(validateUpload(file('page.html', 'text/html')).ok).toBe(false);
  });

  it('refuses files over the limit and empty files', () => {
    const big = validateUpload(file('big.pdf', 'application/pdf', UPLOAD_MAX_BYTES + 1));
    expect(big).toMatchObject({ ok: false, reason: 'too_large' });
    expect(big.ok ? '' : big.message).toContain('10 MB');
    expect(validateUpload(file('edge.pdf', 'application/pdf', UPLOAD_MAX_BYTES)).ok).toBe(true);
    expect(validateUpload(file('empty.txt', 'text/plain', 0))).toMatchObject({ reason: 'empty' });
    expect(validateUpload(file('a.pdf', 'application/pdf', 2048), 1024)).toMatchObject({
      reason: 'too_large',
    });
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MB');
  });
});
