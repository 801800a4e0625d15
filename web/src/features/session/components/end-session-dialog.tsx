'use client';

import { useEffect, useRef } from 'react';
import { Button } from '@/components/ui/button';
import styles from './session.module.css';

export function EndSessionDialog({
  open,
  onCancel,
  onConfirm,
}: {
  open: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      aria-labelledby="end-session-title"
      data-testid="end-session-dialog"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id="end-session-title">End this conversation?</h2>
      <p>The agent will stop listening and the call will be closed.</p>
      <div className={styles.dialogActions}>
        <Button variant="secondary" onClick={onCancel} autoFocus>
          Keep talking
        </Button>
        <Button variant="danger" onClick={onConfirm} data-testid="confirm-end">
          End conversation
        </Button>
      </div>
    </dialog>
  );
}
