/** Dev-only pages (e.g. /dev/panels) exist outside production or when explicitly enabled. */
export function devPagesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  // Aliased so the build does not inline NEXT_PUBLIC_* as a constant: checked per request.
  const flags = env;
  return (
    flags.NODE_ENV !== 'production' ||
    flags.NEXT_PUBLIC_TROUPE_DEV_PAGES === '1' ||
    flags.TROUPE_DEV_PAGES === '1'
  );
}
