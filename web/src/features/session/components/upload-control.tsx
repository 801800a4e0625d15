'use client';

import type { Room } from 'livekit-client';
import { useRef } from 'react';
import { useFileTransfers } from '@/features/session/uploads/use-file-transfers';
import { UPLOAD_ACCEPT, formatBytes } from '@/features/session/uploads/validate-upload';
import mediaStyles from './media.module.css';
import styles from './uploads.module.css';

function PaperclipIcon({ size = 20 }: { size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden
      focusable={false}
    >
      <path d="m21.4 11.1-8.5 8.5a5.5 5.5 0 0 1-7.8-7.8l8.5-8.5a3.7 3.7 0 0 1 5.2 5.2l-8.5 8.5a1.8 1.8 0 0 1-2.6-2.6l7.8-7.8" />
    </svg>
  );
}

/** "Share file" in the control bar: sends a document or image to the agent on `TOPIC_UPLOADS`,
 * shows progress and the agent's verdict, and lists files the agent sent (`TOPIC_FILES`). */
export function UploadControl({ room, connected }: { room: Room; connected: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const { upload, files, send, dismiss } = useFileTransfers(room, connected);
  const busy = upload?.status === 'sending' || upload?.status === 'waiting';

  return (
    <div className={styles.wrap}>
      <button
        type="button"
        className={mediaStyles.mediaButton}
        data-testid="upload-button"
        aria-label="Share a file with the agent"
        title="Share a PDF, text file or image with the agent"
        disabled={!connected || busy}
        onClick={() => input.current?.click()}
      >
        <PaperclipIcon />
        <span className={mediaStyles.mediaLabel}>Share file</span>
      </button>
      <input
        ref={input}
        type="file"
        hidden
        accept={UPLOAD_ACCEPT}
        data-testid="upload-input"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = ''; // the same file can be chosen again
          if (file) void send(file);
        }}
      />
      {(upload || files.length > 0) && (
        <div className={styles.popover}>
          {upload && (
            <div className={styles.status} data-state={upload.status}>
              {busy && (
                <progress
                  className={styles.progress}
                  data-testid="upload-progress"
                  max={1}
                  value={upload.status === 'sending' ? upload.progress : undefined}
                  aria-label={`Sending ${upload.name}`}
                />
              )}
              <p
                className={styles.message}
                data-testid="upload-status"
                data-status={upload.status}
                role="status"
              >
                {upload.message}
              </p>
              {!busy && (
                <button
                  type="button"
                  className={styles.dismiss}
                  aria-label="Dismiss"
                  onClick={dismiss}
                >
                  ×
                </button>
              )}
            </div>
          )}
          {files.length > 0 && <p className={styles.filesTitle}>Files from the agent</p>}
          {files.length > 0 && (
            <ul
              className={styles.files}
              data-testid="received-files"
              aria-label="Files from the agent"
            >
              {files.map((file) => (
                <li key={file.id} data-state={file.url ? 'done' : 'receiving'}>
                  {file.url ? (
                    <a href={file.url} download={file.name} data-testid="received-file">
                      {file.name}
                    </a>
                  ) : (
                    <span data-testid="receiving-file">{file.name}</span>
                  )}{' '}
                  {file.url ? (
                    <span className={styles.size}>{formatBytes(file.size)}</span>
                  ) : (
                    <progress
                      className={styles.progress}
                      data-testid="receiving-progress"
                      aria-label={`Receiving ${file.name}`}
                      max={1}
                      value={file.size ? file.received / file.size : undefined}
                    />
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
