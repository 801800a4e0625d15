import { ParticipantKind, type RpcInvocationData } from 'livekit-client';
import { AGENT_IDENTITY_PREFIX, type BrowserMethod, type RpcResult } from '@/contracts';
import { RpcHandlerError, rpcError, rpcOk } from './rpc-result';

export interface RpcCallContext {
  callerIdentity: string;
  requestId: string;
  /** Aborted when the caller's response timeout is about to run out. */
  signal: AbortSignal;
}

/** Returns the `data` of a successful result; throw `RpcHandlerError` for a specific error. */
export type RpcHandler = (
  payload: string,
  context: RpcCallContext,
) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

/** The part of `Room` the registry needs (a fake in unit tests). */
export interface RpcHost {
  registerRpcMethod(method: string, handler: (data: RpcInvocationData) => Promise<string>): void;
  unregisterRpcMethod(method: string): void;
  remoteParticipants: ReadonlyMap<string, { identity: string; kind: ParticipantKind }>;
}

export type RpcLogger = (message: string, details: Record<string, unknown>) => void;

/** Answer slightly before the caller gives up, so it gets `timeout` rather than a transport error. */
const RESPONSE_MARGIN_MS = 750;
const MIN_HANDLER_MS = 1_000;

const defaultLogger: RpcLogger = (message, details) => console.error(`[rpc] ${message}`, details);

/**
 * Handlers for the RPC methods the agent calls on the browser. Handlers can be added and
 * removed at any time; while attached to a room, every change is mirrored onto it.
 */
export class RpcRegistry {
  private readonly handlers = new Map<BrowserMethod, RpcHandler>();
  private host: RpcHost | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly log: RpcLogger = defaultLogger) {}

  register(method: BrowserMethod, handler: RpcHandler): () => void {
    if (this.handlers.has(method)) this.unregister(method);
    this.handlers.set(method, handler);
    this.host?.registerRpcMethod(method, (data) => this.invoke(method, data));
    this.notify();
    return () => {
      if (this.handlers.get(method) === handler) this.unregister(method);
    };
  }

  unregister(method: BrowserMethod): void {
    if (!this.handlers.delete(method)) return;
    this.host?.unregisterRpcMethod(method);
    this.notify();
  }

  methods(): BrowserMethod[] {
    return [...this.handlers.keys()].sort();
  }

  /** Called whenever the set of methods changes (e.g. to resend the client hello). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  attach(host: RpcHost): void {
    if (this.host === host) return;
    this.detach();
    this.host = host;
    for (const method of this.handlers.keys()) {
      host.registerRpcMethod(method, (data) => this.invoke(method, data));
    }
  }

  detach(): void {
    if (!this.host) return;
    for (const method of this.handlers.keys()) this.host.unregisterRpcMethod(method);
    this.host = null;
  }

  /** Runs one invocation and always resolves to RpcResult JSON. */
  async invoke(method: BrowserMethod, data: RpcInvocationData): Promise<string> {
    return JSON.stringify(await this.dispatch(method, data));
  }

  private async dispatch(method: BrowserMethod, data: RpcInvocationData): Promise<RpcResult> {
    if (!this.isAgent(data.callerIdentity)) {
      this.log('rejected call from a non-agent participant', {
        method,
        caller: data.callerIdentity,
      });
      return rpcError('forbidden', 'Only the agent may call browser methods');
    }
    const handler = this.handlers.get(method);
    if (!handler) return rpcError('unsupported', `No handler for ${method}`);

    const controller = new AbortController();
    const budget = Math.max(MIN_HANDLER_MS, (data.responseTimeout || 15_000) - RESPONSE_MARGIN_MS);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<RpcResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(rpcError('timeout', `${method} did not finish in ${budget} ms`));
      }, budget);
    });
    const run = (async (): Promise<RpcResult> => {
      try {
        const result = await handler(data.payload, {
          callerIdentity: data.callerIdentity,
          requestId: data.requestId,
          signal: controller.signal,
        });
        return rpcOk(result ?? {});
      } catch (error) {
        if (error instanceof RpcHandlerError) return rpcError(error.code, error.message);
        this.log('handler failed', { method, requestId: data.requestId, error: String(error) });
        return rpcError('failed', error instanceof Error ? error.message : 'Handler failed');
      }
    })();
    try {
      return await Promise.race([run, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private isAgent(identity: string): boolean {
    if (!identity.startsWith(AGENT_IDENTITY_PREFIX)) return false;
    const participant = this.host?.remoteParticipants.get(identity);
    return participant?.kind === ParticipantKind.AGENT;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
