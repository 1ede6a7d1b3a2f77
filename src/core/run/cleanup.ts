/**
 * What a run created and must remove on success, failure, cancel and Ctrl-C: registered as
 * it is created, undone in reverse order, every step attempted even when one fails.
 */
export class Cleanup {
  private readonly steps: Array<{ what: string; undo: () => Promise<unknown> }> = [];

  add(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  async run(onError?: (what: string, err: unknown) => void): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.undo();
      } catch (err) {
        onError?.(step.what, err);
      }
    }
  }
}
