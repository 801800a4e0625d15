'use client';

import type { Room } from 'livekit-client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { AGENT_IDENTITY_PREFIX, TOPIC_FILES, TOPIC_UPLOADS, type AgentEvent } from '@/contracts';
import { subscribeAgentEvents } from '@/features/session/lib/agent-events';
import { validateUpload } from './validate-upload';

/** How long to wait for the agent's verdict once the file is sent. */
export const AGENT_CONFIRM_TIMEOUT_MS = 30_000;

export type UploadState = {
  name: string;
  /** 0..1 while sending. */
  progress: number;
  status: 'sending' | 'waiting' | 'received' | 'rejected' | 'failed';
  message: string;
  streamId?: string;
};

export type ReceivedFile = {
  id: string;
  name: string;
  mimeType: string;
  /** Declared size (bytes received so far when the sender declared none). */
  size: number;
  /** Bytes received so far. */
  received: number;
  /** Object URL of the whole file; null while it is still arriving. */
  url: string | null;
};

type Verdict = Extract<AgentEvent, { type: 'upload_received' | 'upload_rejected' }>;

export function verdictMessage(event: Verdict): Pick<UploadState, 'status' | 'message'> {
  if (event.type === 'upload_rejected') return { status: 'rejected', message: event.message };
  const details = [
    event.pages != null ? `${event.pages} page${event.pages === 1 ? '' : 's'}` : null,
    event.truncated ? 'long text was shortened' : null,
  ].filter(Boolean);
  const base = `Shared ${event.name} with the agent${details.length ? ` (${details.join(', ')})` : ''}.`;
  return { status: 'received', message: event.note ? `${base} ${event.note}` : base };
}

/** Uploads to the agent (`TOPIC_UPLOADS`) and files from it (`TOPIC_FILES`). */
export function useFileTransfers(room: Room, connected: boolean) {
  const [upload, setUpload] = useState<UploadState | null>(null);
  const [files, setFiles] = useState<ReceivedFile[]>([]);
  const verdicts = useRef(new Map<string, Verdict>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const settle = useCallback((event: Verdict) => {
    setUpload((current) => {
      if (!current || current.streamId !== event.stream_id) {
        verdicts.current.set(event.stream_id, event); // sendFile has not returned its id yet
        return current;
      }
      if (timer.current) clearTimeout(timer.current);
      return { ...current, progress: 1, ...verdictMessage(event) };
    });
  }, []);

  useEffect(
    () =>
      subscribeAgentEvents(room, (event) => {
        if (event.type === 'upload_received' || event.type === 'upload_rejected') settle(event);
      }),
    [room, settle],
  );

  useEffect(() => {
    const urls: string[] = [];
    room.registerByteStreamHandler(TOPIC_FILES, (reader, { identity }) => {
      // Only the agent may offer downloads; anything else is drained and dropped.
      if (!identity.startsWith(AGENT_IDENTITY_PREFIX)) {
        reader.readAll().catch(() => undefined);
        return;
      }
      const { id, name, mimeType, size } = reader.info;
      const patch = (changes: Partial<ReceivedFile>) =>
        setFiles((prev) => prev.map((f) => (f.id === id ? { ...f, ...changes } : f)));
      setFiles((prev) => [
        ...prev,
        { id, name, mimeType, size: size ?? 0, received: 0, url: null },
      ]);
      void (async () => {
        // Read chunk by chunk so the page shows the download's progress.
        const chunks: Uint8Array[] = [];
        let received = 0;
        for await (const chunk of reader) {
          chunks.push(chunk);
          received += chunk.byteLength;
          patch({ received, size: size ?? received });
        }
        const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: mimeType }));
        urls.push(url);
        patch({ received, size: size ?? received, url });
      })().catch(() => setFiles((prev) => prev.filter((f) => f.id !== id)));
    });
    return () => {
      room.unregisterByteStreamHandler(TOPIC_FILES);
      urls.forEach((url) => URL.revokeObjectURL(url));
    };
  }, [room]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const send = useCallback(
    async (file: File) => {
      const check = validateUpload(file);
      if (!check.ok) {
        setUpload({ name: file.name, progress: 0, status: 'rejected', message: check.message });
        return;
      }
      if (!connected) {
        setUpload({ name: file.name, progress: 0, status: 'failed', message: 'Not connected.' });
        return;
      }
      setUpload({
        name: file.name,
        progress: 0,
        status: 'sending',
        message: `Sending ${file.name}…`,
      });
      try {
        const { id } = await room.localParticipant.sendFile(file, {
          topic: TOPIC_UPLOADS,
          mimeType: check.mimeType,
          onProgress: (progress) =>
            setUpload((current) =>
              current && current.status === 'sending'
                ? { ...current, progress: Math.min(1, Math.max(0, progress)) }
                : current,
            ),
        });
        const early = verdicts.current.get(id);
        verdicts.current.delete(id);
        setUpload((current) =>
          current && current.name === file.name
            ? early
              ? { ...current, streamId: id, progress: 1, ...verdictMessage(early) }
              : {
                  ...current,
                  streamId: id,
                  progress: 1,
                  status: 'waiting',
                  message: `Sent ${file.name}; waiting for the agent…`,
                }
            : current,
        );
        if (!early) {
          if (timer.current) clearTimeout(timer.current);
          timer.current = setTimeout(() => {
            setUpload((current) =>
              current && current.streamId === id && current.status === 'waiting'
                ? { ...current, status: 'failed', message: 'The agent did not confirm the file.' }
                : current,
            );
          }, AGENT_CONFIRM_TIMEOUT_MS);
        }
      } catch (error) {
        setUpload({
          name: file.name,
          progress: 0,
          status: 'failed',
          message: `Could not send ${file.name}${error instanceof Error ? `: ${error.message}` : '.'}`,
        });
      }
    },
    [connected, room],
  );

  return { upload, files, send, dismiss: () => setUpload(null) };
}
