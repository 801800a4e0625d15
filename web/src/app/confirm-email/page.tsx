import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuthLayout } from '@/components/auth/auth-layout';
import { ConfirmEmail } from '@/components/auth/confirm-email';

export const metadata: Metadata = { title: 'Confirm your email' };

export default function ConfirmEmailPage() {
  return (
    <AuthLayout title="Confirm your email" subtitle="One click and your new address is in use.">
      <Suspense>
        <ConfirmEmail />
      </Suspense>
    </AuthLayout>
  );
}
