import { ButtonLink } from '@/components/ui/button';
import { SessionNotice } from '@/features/session/components/session-notice';

export default function NotFound() {
  return (
    <SessionNotice title="Page not found" actions={<ButtonLink href="/">Go home</ButtonLink>}>
      <p>The page you’re looking for doesn’t exist or has moved.</p>
    </SessionNotice>
  );
}
