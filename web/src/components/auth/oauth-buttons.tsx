'use client';

import { useEffect, useState } from 'react';
import { buttonClassName } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';
import styles from './auth-form.module.css';

type Provider = Schema<'OAuthProviderRead'>;

/** One "Continue with …" link per OAuth provider the API has configured (none: nothing). */
export function OAuthButtons() {
  const [providers, setProviders] = useState<Provider[]>([]);

  useEffect(() => {
    let live = true;
    api<Schema<'OAuthProviderList'>>('/auth/oauth/providers', { noOrg: true }).then(
      (r) => live && setProviders(r.items),
      () => live && setProviders([]),
    );
    return () => {
      live = false;
    };
  }, []);

  if (providers.length === 0) return null;
  return (
    <div className={styles.oauth} data-testid="oauth-buttons">
      {providers.map((p) => (
        <a
          key={p.name}
          href={p.start_url}
          className={buttonClassName({ variant: 'secondary', size: 'md', block: true })}
        >
          Continue with {p.label}
        </a>
      ))}
      <p className={styles.divider}>
        <span>or with your email</span>
      </p>
    </div>
  );
}
