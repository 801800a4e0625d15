export function validatePasswordChange(
  current: string,
  next: string,
  confirm: string,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!current) errors.current_password = 'Enter your current password.';
  if (next.length < 10) errors.new_password = 'Use at least 10 characters.';
  else if (next === current) errors.new_password = 'Choose a different password.';
  if (confirm !== next) errors.confirm = 'The passwords do not match.';
  return errors;
}
