import type { RpcErrorCode, RpcResult } from '@/contracts';

/** Thrown by a handler to answer with a specific error code instead of `failed`. */
export class RpcHandlerError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RpcHandlerError';
  }
}

export function rpcOk(data: Record<string, unknown> = {}): RpcResult {
  return { ok: true, data, error: null };
}

export function rpcError(code: RpcErrorCode, message: string): RpcResult {
  return { ok: false, data: {}, error: { code, message } };
}

export function invalid(message: string): never {
  throw new RpcHandlerError('invalid', message);
}

const ERROR_CODES: readonly RpcErrorCode[] = [
  'refused',
  'unsupported',
  'invalid',
  'failed',
  'forbidden',
  'timeout',
];

/** Parses a peer's RpcResult JSON; anything else becomes a `failed` result. */
export function parseRpcResult(raw: string): RpcResult {
  try {
    const value: unknown = JSON.parse(raw);
    if (isRecord(value) && typeof value.ok === 'boolean') {
      const error = isRecord(value.error) ? value.error : null;
      const code = error && ERROR_CODES.includes(error.code as RpcErrorCode);
      return {
        ok: value.ok,
        data: isRecord(value.data) ? value.data : {},
        error: error
          ? {
              code: code ? (error.code as RpcErrorCode) : 'failed',
              message: typeof error.message === 'string' ? error.message : '',
            }
          : null,
      };
    }
  } catch {
    // fall through
  }
  return rpcError('failed', 'Malformed RPC response');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
