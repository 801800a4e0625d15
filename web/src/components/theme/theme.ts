export type Theme = 'light' | 'dark';
export type ThemePreference = Theme | 'system';

export const THEME_STORAGE_KEY = 'troupe-theme';

export function resolveTheme(preference: string | null | undefined, systemDark: boolean): Theme {
  if (preference === 'light' || preference === 'dark') return preference;
  return systemDark ? 'dark' : 'light';
}

/** Applies a theme to <html>: `data-theme`, the `dark` class and the native colour scheme. */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  // Switch every colour at once instead of letting each element's transition animate it.
  const freeze = document.createElement('style');
  freeze.textContent = '*,*::before,*::after{transition:none!important}';
  document.head.appendChild(freeze);
  root.dataset.theme = theme;
  root.classList.toggle('dark', theme === 'dark');
  root.style.colorScheme = theme;
  void getComputedStyle(root).color; // force the restyle while transitions are off
  requestAnimationFrame(() => freeze.remove());
}

/**
 * Runs before first paint (inlined in <head>) so the page never flashes the wrong theme.
 * Kept dependency-free: it is serialised as a string.
 */
export const THEME_INIT_SCRIPT = `(function(){try{var p=localStorage.getItem(${JSON.stringify(
  THEME_STORAGE_KEY,
)});var t=p==='light'||p==='dark'?p:(window.matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light');var d=document.documentElement;d.dataset.theme=t;d.classList.toggle('dark',t==='dark');d.style.colorScheme=t;}catch(e){}})();`;
