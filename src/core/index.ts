/**
 * The engine's public surface: the CLI and the extension import from here only.
 * Stage modules stay private to src/core.
 */
export * from './run/api';
export * from './errors';
export * from './events';
export type * from './report/types';
export type * from './config/types';
