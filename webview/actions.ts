/**
 * What the report can ask the host to do. Tracks which "Keep this" requests are in
 * flight (their buttons show "Keeping…") and reports failed replies to the banner.
 */
import type { KeepMode, MetadataPolicy } from '../src/core/report/types';
import type { ExportFormat, KeepTarget, ReplyMessage } from '../src/shared/protocol';
import { hostActionsAvailable, post, request } from './vscodeApi';

type Listener = () => void;

const inFlight = new Set<string>();
const listeners = new Set<Listener>();
let failureHandler: (message: string) => void = () => undefined;

function changed(): void {
  for (const l of listeners) l();
}

export function onActionsChanged(listener: Listener): void {
  listeners.add(listener);
}

export function onActionFailed(handler: (message: string) => void): void {
  failureHandler = handler;
}

export const canAct = hostActionsAvailable;

export const UNAVAILABLE_HINT = 'Open this report in VS Code to use this action.';

function key(kind: string, value: string): string {
  return `${kind}\u0000${value}`;
}

export function isPending(kind: KeepTarget | 'policy' | 'keep-mode' | 'export', value: string): boolean {
  return inFlight.has(key(kind, value));
}

async function track(k: string, send: () => Promise<ReplyMessage>): Promise<boolean> {
  if (!canAct || inFlight.has(k)) return false;
  inFlight.add(k);
  changed();
  try {
    const reply = await send();
    if (!reply.ok) failureHandler(reply.message ?? 'The action failed.');
    return reply.ok;
  } finally {
    inFlight.delete(k);
    changed();
  }
}

/** "Keep this": the host adds an include rule, rebuilds from the saved trace and verifies. */
export function keep(target: KeepTarget, value: string): Promise<boolean> {
  return track(key(target, value), () => request({ type: 'keep', target, value }));
}

export function setPolicy(policy: MetadataPolicy): Promise<boolean> {
  return track(key('policy', policy), () => request({ type: 'set-policy', policy }));
}

/** The host writes `keep` into the configuration and rebuilds from the saved trace under that mode. */
export function setKeepMode(mode: KeepMode): Promise<boolean> {
  return track(key('keep-mode', mode), () => request({ type: 'set-keep', mode }));
}

export function exportAs(format: ExportFormat): Promise<boolean> {
  return track(key('export', format), () => request({ type: 'export', format }));
}

export function openLog(): void {
  if (canAct) post({ type: 'open-log' });
}

export function openFile(path: string): void {
  if (canAct) post({ type: 'open-file', path });
}

export function anyInFlight(): boolean {
  return inFlight.size > 0;
}
