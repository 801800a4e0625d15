'use client';

import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { THEME_STORAGE_KEY, applyTheme, resolveTheme, type Theme } from '@/components/theme/theme';

function readTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}

function readPreference(): string | null {
  try {
    return window.localStorage.getItem(THEME_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The current theme (set before paint by the inline script) and a persisted toggle. */
export function useTheme(): { theme: Theme | undefined; toggleTheme: () => void } {
  const theme = useSyncExternalStore<Theme | undefined>(subscribe, readTheme, () => undefined);

  // Follow the system while the user has not chosen a theme.
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const onSystemChange = () => {
      const preference = readPreference();
      if (preference !== 'light' && preference !== 'dark') {
        applyTheme(resolveTheme(preference, media.matches));
      }
    };
    media.addEventListener('change', onSystemChange);
    return () => media.removeEventListener('change', onSystemChange);
  }, []);

  const toggleTheme = useCallback(() => {
    const next: Theme = readTheme() === 'dark' ? 'light' : 'dark';
    try {
      window.localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // Storage may be blocked; the toggle still works for this page view.
    }
    applyTheme(next);
  }, []);

  return { theme, toggleTheme };
}
