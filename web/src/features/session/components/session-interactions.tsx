'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Toast } from '@/contracts';
import { Button } from '@/components/ui/button';
import styles from './interactions.module.css';

export type ConsentKind = 'camera' | 'screen';

interface ConsentRequest {
  id: number;
  kind: ConsentKind;
  reason: string;
  resolve: (allowed: boolean) => void;
}

interface ToastItem extends Toast {
  id: number;
  /** A link the user must confirm before it opens (open_url). */
  link?: { url: string; resolve: (opened: boolean) => void };
}

export interface Interactions {
  /** Resolves true when the user allows; false when denied or `signal` aborts. */
  requestConsent: (kind: ConsentKind, reason: string, signal?: AbortSignal) => Promise<boolean>;
  showToast: (toast: Toast) => void;
  /** Shows a toast with an "Open" button; resolves true once the link was opened. */
  confirmOpenUrl: (url: string, signal?: AbortSignal) => Promise<boolean>;
}

const TOAST_MS = 6_000;
const LINK_TOAST_MS = 20_000;

/** Consent dialog and toasts the agent can trigger over RPC. */
export function useInteractionsState() {
  const [consents, setConsents] = useState<ConsentRequest[]>([]);
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(0);

  const dismissToast = useCallback((id: number) => {
    setToasts((list) => {
      list.find((t) => t.id === id)?.link?.resolve(false);
      return list.filter((t) => t.id !== id);
    });
  }, []);

  const interactions = useMemo<Interactions>(
    () => ({
      requestConsent: (kind, reason, signal) =>
        new Promise<boolean>((resolve) => {
          const id = ++nextId.current;
          const settle = (allowed: boolean) => {
            setConsents((list) => list.filter((c) => c.id !== id));
            resolve(allowed);
          };
          signal?.addEventListener('abort', () => settle(false), { once: true });
          setConsents((list) => [...list, { id, kind, reason, resolve: settle }]);
        }),
      showToast: (toast) => {
        const id = ++nextId.current;
        setToasts((list) => [...list.slice(-3), { ...toast, id }]);
        setTimeout(() => dismissToast(id), TOAST_MS);
      },
      confirmOpenUrl: (url, signal) =>
        new Promise<boolean>((resolve) => {
          const id = ++nextId.current;
          let settled = false;
          const settle = (opened: boolean) => {
            if (settled) return;
            settled = true;
            setToasts((list) => list.filter((t) => t.id !== id));
            resolve(opened);
          };
          signal?.addEventListener('abort', () => settle(false), { once: true });
          setToasts((list) => [
            ...list.slice(-3),
            {
              id,
              level: 'info',
              message: 'The agent wants to open a link',
              link: { url, resolve: settle },
            },
          ]);
          setTimeout(() => settle(false), LINK_TOAST_MS);
        }),
    }),
    [dismissToast],
  );

  return { interactions, consents, toasts, dismissToast };
}

export function InteractionLayer({
  consents,
  toasts,
  dismissToast,
}: ReturnType<typeof useInteractionsState>) {
  const consent = consents[0];
  return (
    <>
      {consent && <ConsentDialog key={consent.id} request={consent} />}
      <div className={styles.toasts} aria-live="polite" aria-relevant="additions">
        {toasts.map((toast) => (
          <div
            key={toast.id}
            className={styles.toast}
            data-level={toast.level}
            data-testid="toast"
            role={toast.level === 'error' ? 'alert' : 'status'}
          >
            <span className={styles.toastDot} aria-hidden="true" />
            <div className={styles.toastBody}>
              <p className={styles.toastMessage}>{toast.message}</p>
              {toast.link && <p className={styles.toastUrl}>{toast.link.url}</p>}
            </div>
            {toast.link && (
              <Button
                size="sm"
                data-testid="toast-open-link"
                onClick={() => {
                  window.open(toast.link!.url, '_blank', 'noopener,noreferrer');
                  toast.link!.resolve(true);
                }}
              >
                Open
              </Button>
            )}
            <button
              type="button"
              className={styles.toastClose}
              aria-label="Dismiss"
              data-testid="toast-dismiss"
              onClick={() => dismissToast(toast.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </>
  );
}

function ConsentDialog({ request }: { request: ConsentRequest }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
  }, []);
  const what = request.kind === 'camera' ? 'turn on your camera' : 'see your screen';
  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      aria-labelledby="consent-title"
      aria-describedby="consent-reason"
      data-testid="consent-dialog"
      data-kind={request.kind}
      onCancel={(event) => {
        event.preventDefault();
        request.resolve(false);
      }}
    >
      <h2 id="consent-title">The agent would like to {what}</h2>
      <p id="consent-reason" className={styles.reason}>
        {request.reason || 'No reason was given.'}
      </p>
      <p className={styles.hint}>
        {request.kind === 'camera'
          ? 'Your browser may ask for camera permission next. You can turn the camera off at any time.'
          : 'Your browser will ask which screen, window or tab to share. You can stop sharing at any time.'}
      </p>
      <div className={styles.actions}>
        <Button
          variant="secondary"
          data-testid="consent-deny"
          onClick={() => request.resolve(false)}
        >
          Not now
        </Button>
        <Button data-testid="consent-allow" autoFocus onClick={() => request.resolve(true)}>
          {request.kind === 'camera' ? 'Turn on camera' : 'Share screen'}
        </Button>
      </div>
    </dialog>
  );
}
