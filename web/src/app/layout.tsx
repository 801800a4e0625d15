import '@fontsource-variable/inter';
import './globals.css';
import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { THEME_INIT_SCRIPT } from '@/components/theme/theme';

const siteUrl = process.env.TROUPE_PUBLIC_URL ?? 'http://localhost:3000';
const description =
  'Troupe is a self-hostable platform for multi-agent voice AI: configure a troupe of agents, embed a session, and let people talk to them in the browser.';

export const metadata: Metadata = {
  metadataBase: new URL(siteUrl),
  title: { default: 'Troupe — multi-agent voice AI', template: '%s · Troupe' },
  description,
  applicationName: 'Troupe',
  keywords: ['voice AI', 'multi-agent', 'LiveKit', 'self-hosted', 'conversational AI'],
  openGraph: {
    type: 'website',
    siteName: 'Troupe',
    title: 'Troupe — multi-agent voice AI',
    description,
    url: '/',
  },
  twitter: { card: 'summary', title: 'Troupe — multi-agent voice AI', description },
  robots: { index: true, follow: true },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f7f8fb' },
    { media: '(prefers-color-scheme: dark)', color: '#0a0c12' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The proxy's per-request CSP nonce (src/proxy.ts); reading it renders every page per request.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Sets the theme before first paint: no flash of the wrong colours. */}
        <script
          nonce={nonce}
          suppressHydrationWarning
          dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }}
        />
      </head>
      <body>{children}</body>
    </html>
  );
}
