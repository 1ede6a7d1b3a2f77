/**
 * CLI commands other than `slim`: each takes its arguments and the cancel signal and
 * returns the exit code. Filled in as the inventory and lint engines land.
 */
export const cliCommands: Record<string, (args: string[], signal: AbortSignal) => Promise<number>> = {};
