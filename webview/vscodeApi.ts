/**
 * The webview's only door to the host: posting protocol messages, request/reply matching,
 * and the persisted state. In the exported HTML a stub API stands in, marked `standalone`,
 * and every host-only action is disabled.
 */
import type {
  ExportMessage,
  KeepMessage,
  ReplyMessage,
  SetKeepMessage,
  SetPolicyMessage,
  WebviewMessage,
} from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
  /** Set by the exported HTML's stub: there is no host to act. */
  readonly standalone?: boolean;
}

declare global {
  interface Window {
    acquireVsCodeApi?: () => VsCodeApi;
  }
}

/** A page opened without any host (e.g. a file viewer): behave like the export. */
const NO_HOST: VsCodeApi = {
  standalone: true,
  postMessage: () => undefined,
  getState: () => undefined,
  setState: (s) => s,
};

// acquireVsCodeApi may be called only once per page load.
const api: VsCodeApi = typeof window.acquireVsCodeApi === 'function' ? window.acquireVsCodeApi() : NO_HOST;

/** False in the exported HTML: Keep this, export, open log… need the extension. */
export const hostActionsAvailable = api.standalone !== true;

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

type Request = Omit<KeepMessage, 'requestId'> | Omit<SetPolicyMessage, 'requestId'> | Omit<SetKeepMessage, 'requestId'> | Omit<ExportMessage, 'requestId'>;

const pending = new Map<string, (reply: ReplyMessage) => void>();
let nextId = 1;

/** Posts a request; resolves with the host's reply (never rejects: failures are replies). */
export function request(message: Request): Promise<ReplyMessage> {
  const requestId = `req-${Date.now().toString(36)}-${nextId++}`;
  if (!hostActionsAvailable) {
    return Promise.resolve({ type: 'reply', requestId, ok: false, message: 'Available in VS Code only.' });
  }
  return new Promise((resolve) => {
    pending.set(requestId, resolve);
    post({ ...message, requestId } as WebviewMessage);
  });
}

/** Routes a host reply to its request; false when nobody was waiting for it. */
export function settleReply(reply: ReplyMessage): boolean {
  const resolve = pending.get(reply.requestId);
  if (!resolve) return false;
  pending.delete(reply.requestId);
  resolve(reply);
  return true;
}

export function pendingRequests(): number {
  return pending.size;
}

export function getSavedState(): unknown {
  return api.getState();
}

export function saveState(state: unknown): void {
  api.setState(state);
}
