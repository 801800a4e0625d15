import { ThemeToggle } from '@/components/theme/theme-toggle';
import { ButtonLink } from '@/components/ui/button';
import { Logo } from '@/components/ui/logo';
import styles from './site-header.module.css';

export function SiteHeader() {
  return (
    <header className={styles.header}>
      <div className={styles.inner}>
        <Logo />
        <nav className={styles.nav} aria-label="Main">
          <a href="#features" className={styles.link}>
            Features
          </a>
          <a href="#how" className={styles.link}>
            How it works
          </a>
          <ButtonLink href="/login" variant="ghost" size="sm">
            Sign in
          </ButtonLink>
          <ButtonLink href="/dashboard" variant="primary" size="sm">
            Dashboard
          </ButtonLink>
          <ThemeToggle />
        </nav>
      </div>
    </header>
  );
}
