import Link from 'next/link';
import styles from './logo.module.css';

export function LogoMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id="troupe-logo-gradient" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#7c6cff" />
          <stop offset="1" stopColor="#22c1b4" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="9" fill="url(#troupe-logo-gradient)" />
      <circle cx="11" cy="13" r="3.2" fill="#fff" />
      <circle cx="21" cy="13" r="3.2" fill="#fff" fillOpacity="0.75" />
      <path
        d="M7 23c1.2-2.6 3.6-4 6-4s4.8 1.4 6 4M15 23c1.2-2.6 3.6-4 6-4s4.2 1.2 5 3"
        stroke="#fff"
        strokeWidth="2"
        strokeLinecap="round"
        fill="none"
      />
    </svg>
  );
}

export function Logo({ href = '/', size = 28 }: { href?: string; size?: number }) {
  return (
    <Link href={href} className={styles.logo} aria-label="Troupe home">
      <LogoMark size={size} />
      <span className={styles.word}>Troupe</span>
    </Link>
  );
}
