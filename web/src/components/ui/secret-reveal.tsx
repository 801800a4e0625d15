'use client';

import { useState } from 'react';
import { Notice, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';

/** A secret the API returns only once: shown with a copy button and a warning, then dismissed. */
export function SecretReveal({
  label,
  secret,
  onDismiss,
  testId = 'secret-reveal',
}: {
  label: string;
  secret: string;
  onDismiss: () => void;
  testId?: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className={dash.stack} data-testid={testId}>
      <Notice tone="success">
        {label} Copy it now: it is shown only once and cannot be read back later.
      </Notice>
      <div className={dash.row}>
        <code
          className={dash.pre}
          style={{ flex: 1, margin: 0, wordBreak: 'break-all' }}
          data-testid={`${testId}-value`}
        >
          {secret}
        </code>
        <Button
          variant="secondary"
          onClick={() =>
            void navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
        <Button variant="ghost" onClick={onDismiss}>
          Done
        </Button>
      </div>
    </div>
  );
}
