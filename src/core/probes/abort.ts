/*
 * Small helpers to combine cancellation sources. Node 20.0–20.2 lacks AbortSignal.any, and
 * we need to know *which* source fired (user cancel vs. app exit vs. timeout) anyway.
 */

/** Calls `fn` once when `signal` aborts (immediately if it already has); returns a disposer. */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    fn();
    return () => undefined;
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/** A signal that fires when any of `signals` fires. Call dispose() to drop the listeners. */
export function linkSignals(...signals: Array<AbortSignal | undefined>): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const disposers = signals.map((s) => onAbort(s, () => controller.abort()));
  return { signal: controller.signal, dispose: () => disposers.forEach((d) => d()) };
}

/**
 * Resolves after `ms`, or as soon as any signal fires, whichever comes first. Never rejects:
 * the caller checks the signals to learn why it woke up.
 */
export function delay(ms: number, ...signals: Array<AbortSignal | undefined>): Promise<void> {
  return new Promise((resolve) => {
    const disposers: Array<() => void> = [];
    const done = (): void => {
      clearTimeout(timer);
      disposers.forEach((d) => d());
      resolve();
    };
    // Infinity = no time limit (setTimeout would clamp it to 1 ms).
    const timer = Number.isFinite(ms) ? setTimeout(done, Math.max(0, ms)) : undefined;
    for (const s of signals) disposers.push(onAbort(s, done));
  });
}

/** Resolves when `promise` settles or any signal fires (never rejects). */
export function settledOrAborted(promise: Promise<unknown>, ...signals: Array<AbortSignal | undefined>): Promise<void> {
  return new Promise((resolve) => {
    const disposers: Array<() => void> = [];
    const done = (): void => {
      disposers.forEach((d) => d());
      resolve();
    };
    for (const s of signals) disposers.push(onAbort(s, done));
    promise.then(done, done);
  });
}
