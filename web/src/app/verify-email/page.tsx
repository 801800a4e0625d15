import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuthLayout } from '@/components/auth/auth-layout';
import { VerifyEmail } from '@/components/auth/confirm-email';

export const metadata: Metadata = { title: 'Verify your email' };

export default function VerifyEmailPage() {
  return (
    <AuthLayout title="Verify your email" subtitle="So we know where to reach you.">
      <Suspense>
        <VerifyEmail />
      </Suspense>
    </AuthLayout>
  );
}
