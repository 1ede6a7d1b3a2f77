import { connect } from 'node:net';
import { CancelledError } from '../errors';
import { delay } from './abort';

const RETRY_MS = 250;
/** A connection the app accepted stays open this long (or says something); the engine's proxy closes it at once. */
const HOLD_MS = 300;

/**
 * Waits until the app listens on a published port. A plain connect is not enough: the
 * engine's port proxy accepts on the host before the app listens, then closes the
 * connection. So a port counts as ready when a connection stays open for a moment or the
 * app sends something first (a banner). Resolves undefined when ready, else what went wrong.
 */
export async function waitForPort(host: string, port: number, deadline: number, signal?: AbortSignal, appExited?: () => boolean): Promise<string | undefined> {
  let last = 'no attempt';
  for (;;) {
    if (signal?.aborted) throw new CancelledError('probe');
    if (appExited?.()) return 'the app exited';
    last = await attempt(host, port);
    if (last === '') return undefined;
    if (Date.now() + RETRY_MS > deadline) return last;
    await delay(RETRY_MS, signal);
  }
}

function attempt(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let timer: NodeJS.Timeout | undefined;
    const done = (problem: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    socket.once('connect', () => {
      timer = setTimeout(() => done(''), HOLD_MS);
    });
    socket.once('data', () => done(''));
    socket.once('end', () => done('the connection was closed before the app accepted it'));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    socket.once('close', () => done('the connection was closed before the app accepted it'));
  });
}
