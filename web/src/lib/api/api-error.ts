/**
 * The Platform API answers every failure with `{ "error": { "code", "message", "details" } }`.
 * The envelope is not (yet) part of the generated contracts, so its shape is described here once.
 */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Codes the web app produces itself when no API envelope is available. */
export const CLIENT_ERROR_CODES = {
  network: 'network_error',
  unavailable: 'api_unavailable',
  invalidResponse: 'invalid_response',
} as const;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** True when retrying the same request later may succeed. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Builds the typed error for a non-2xx response from its status and (possibly absent) body. */
export function apiErrorFromResponse(status: number, statusText: string, body: unknown): ApiError {
  if (isApiErrorBody(body)) {
    return new ApiError(status, body.error.code, body.error.message, body.error.details);
  }
  // The Next.js proxy answers 500/502/503/504 without an envelope when the API is down.
  if (status === 502 || status === 503 || status === 504 || status === 500) {
    return new ApiError(
      status,
      CLIENT_ERROR_CODES.unavailable,
      'The Troupe service is not reachable right now. Please try again in a moment.',
      body,
    );
  }
  return new ApiError(
    status,
    `http_${status}`,
    statusText || `Request failed with status ${status}`,
    body,
  );
}
