'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { problemDetails } from '@/features/session/lib/connection-errors';

/** Copies what a bug report needs (error code, session id, time, user agent) to the clipboard. */
export function CopyDetailsButton({
  code,
  sessionId,
  message,
}: {
  code: string;
  sessionId: string;
  message?: string | null;
}) {
  const [copied, setCopied] = useState<{ text: string; ok: boolean } | null>(null);

  async function copy() {
    const text = problemDetails({ code, sessionId, message });
    try {
      await navigator.clipboard.writeText(text);
      setCopied({ text, ok: true });
    } catch {
      // Clipboard blocked (permissions, insecure origin): show the text so it can be copied by hand.
      setCopied({ text, ok: false });
    }
  }

  return (
    <>
      <Button variant="secondary" onClick={() => void copy()} data-testid="copy-details">
        {copied?.ok ? 'Details copied' : 'Copy details'}
      </Button>
      {copied && !copied.ok && <pre data-testid="problem-details">{copied.text}</pre>}
    </>
  );
}
