/** What the ended-conversation page says for a session's `close_reason` (API `SessionRead`). */
export interface CloseReasonText {
  title: string;
  text: string;
  tone: 'success' | 'danger';
}

const ENDED = 'Conversation ended';

const TEXTS: Record<string, CloseReasonText> = {
  user_left: { title: ENDED, text: 'Thanks for talking with us.', tone: 'success' },
  agent: { title: ENDED, text: 'The assistant ended the conversation.', tone: 'success' },
  idle: {
    title: ENDED,
    text: 'The conversation ended after a long silence.',
    tone: 'success',
  },
  max_duration: {
    title: ENDED,
    text: 'The conversation reached its time limit.',
    tone: 'success',
  },
  agent_lost: {
    title: 'Conversation stopped',
    text: 'It stopped because of a technical problem on our side. Please start a new conversation.',
    tone: 'danger',
  },
  config_error: {
    title: 'Conversation stopped',
    text: 'This conversation could not be set up. Please try again later.',
    tone: 'danger',
  },
  error: {
    title: 'Conversation stopped',
    text: 'It stopped because of a technical problem on our side. Please start a new conversation.',
    tone: 'danger',
  },
};

/** The words for `reason`; unknown or missing reasons read as a plain end. */
export function describeCloseReason(reason: string | null | undefined): CloseReasonText {
  return (
    (reason && TEXTS[reason]) || {
      title: ENDED,
      text: 'Thanks for talking with us.',
      tone: 'success',
    }
  );
}
