import {
  CSRF_COOKIE,
  CSRF_HEADER,
  ORG_HEADER,
  getSelectedOrg,
  readCookie,
  type Schema,
} from '@/lib/api/client';
import { ApiError } from '@/lib/api/api-error';

/** Shapes of `/api/v1/knowledge-bases` (troupe_api.knowledge.schemas), from the generated types. */
export type KnowledgeBase = Schema<'KnowledgeBaseRead'>;
export type KnowledgeDocument = Schema<'DocumentRead'>;
export type DocumentStatus = KnowledgeDocument['status'];
/** The upload's answer: the document, flagged `duplicate` when the same file was there already. */
export type UploadedDocument = Schema<'DocumentUploadResult'>;
export type KnowledgeChunk = Schema<'ChunkRead'>;
export type KnowledgeHit = Schema<'KnowledgeHit'>;

export const ACCEPTED_FILES = '.pdf,.md,.markdown,.txt,.html,.htm';

/** Still being ingested by the job (poll until none is). */
export function inProgress(status: DocumentStatus): boolean {
  return status !== 'embedded' && status !== 'error';
}

/**
 * Uploads one file as multipart form data, reporting upload progress (0..1); resolves with the
 * document (status `queued`, or the existing one with `duplicate`). The API's JSON error
 * becomes an {@link ApiError}.
 */
export function uploadDocument(
  baseId: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<UploadedDocument> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/knowledge-bases/${baseId}/documents`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) xhr.setRequestHeader(CSRF_HEADER, csrf);
    const org = getSelectedOrg();
    if (org) xhr.setRequestHeader(ORG_HEADER, org);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new Error('The upload failed: the network connection was lost.'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText) as unknown;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as UploadedDocument);
        return;
      }
      const error = (body as { error?: { code?: string; message?: string; details?: unknown } })
        ?.error;
      reject(
        new ApiError(
          xhr.status,
          error?.code ?? 'upload_failed',
          error?.message ?? `The upload failed (HTTP ${xhr.status}).`,
          error?.details,
        ),
      );
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
