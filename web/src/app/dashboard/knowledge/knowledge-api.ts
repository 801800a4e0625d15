import { CSRF_COOKIE, CSRF_HEADER, ORG_HEADER, getSelectedOrg, readCookie } from '@/lib/api/client';
import { ApiError } from '@/lib/api/api-error';

/** Shapes of `/api/v1/knowledge-bases` (troupe_api.knowledge.schemas). */
export interface KnowledgeBase {
  id: string;
  name: string;
  description: string;
  embedding_model: string;
  documents: number;
  created_at: string;
}

export type DocumentStatus = 'queued' | 'parsed' | 'chunked' | 'embedded' | 'error';

export interface KnowledgeDocument {
  id: string;
  knowledge_base_id: string;
  filename: string;
  detected_type: string | null;
  size_bytes: number;
  sha256: string;
  status: DocumentStatus;
  error_code: string | null;
  error_message: string | null;
  pages: number;
  chunk_count: number;
  created_at: string;
  updated_at: string;
  duplicate?: boolean;
}

export interface KnowledgeChunk {
  id: string;
  position: number;
  heading_path: string;
  text: string;
  page: number | null;
  embedding_model: string | null;
}

export interface KnowledgeHit {
  chunk_id: string;
  document_id: string;
  knowledge_base_id: string;
  filename: string;
  heading_path: string;
  text: string;
  page: number | null;
  score: number;
  vector_rank: number | null;
  keyword_rank: number | null;
}

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
): Promise<KnowledgeDocument> {
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
        resolve(body as KnowledgeDocument);
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
