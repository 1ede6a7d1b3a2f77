import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ExitCode, TrueSlimError, type ExitCodeValue, type Stage } from '../../src/core/errors';
import type { RunListener } from '../../src/core/events';
import { docker, dockerStatus } from './docker';
import { BUSYBOX_IMAGE } from './busybox';

/**
 * Shared by the fault and bad-input engine tests. Other test runs share the engine, so
 * leftovers are what appeared during a run *and* belongs to an image of ours; nothing is
 * ever counted (or removed) by label alone.
 */

export const RUN_LABEL = 'io.trueslim.run';
const SOURCE_ID_LABEL = 'io.trueslim.source.id';

export interface EngineSnapshot {
  containers: Set<string>;
  volumes: Set<string>;
}

const lines = (text: string): string[] => text.split('\n').filter(Boolean);

export function snapshot(): EngineSnapshot {
  return {
    containers: new Set(lines(docker('ps', '-aq', '--no-trunc', '--filter', `label=${RUN_LABEL}`))),
    volumes: new Set(lines(docker('volume', 'ls', '-q', '--filter', 'dangling=true'))),
  };
}

/** The image id a reference points at, or undefined when the engine has no such image. */
export function imageId(ref: string): string | undefined {
  const r = dockerStatus('image', 'inspect', '-f', '{{.Id}}', ref);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Run containers created since `before` that still exist and were made from one of
 * `ownImages` (ids) or from a slim image of one of them; dangling volumes created since.
 */
export function leftoversSince(before: EngineSnapshot, ownImages: Array<string | undefined>): { containers: string[]; volumes: string[] } {
  const own = new Set(ownImages.filter((i): i is string => !!i));
  const now = snapshot();
  const containers: string[] = [];
  for (const id of now.containers) {
    if (before.containers.has(id)) continue;
    const info = dockerStatus('inspect', '-f', '{{.Image}}', id);
    if (info.status !== 0) continue; // removed meanwhile
    const image = info.stdout.trim();
    const source = dockerStatus('image', 'inspect', '-f', `{{index .Config.Labels "${SOURCE_ID_LABEL}"}}`, image).stdout.trim();
    if (own.has(image) || own.has(source)) containers.push(id);
  }
  const volumes = [...now.volumes].filter((v) => !before.volumes.has(v));
  return { containers, volumes };
}

/** Asserts the run left nothing behind; removes what it finds so later tests start clean. */
export function assertNoLeftovers(before: EngineSnapshot, ownImages: Array<string | undefined>, what: string): void {
  const left = leftoversSince(before, ownImages);
  for (const id of left.containers) dockerStatus('rm', '-f', '-v', id);
  for (const v of left.volumes) dockerStatus('volume', 'rm', v);
  assert.deepEqual(left.containers, [], `${what}: run containers left behind`);
  assert.deepEqual(left.volumes, [], `${what}: volumes left behind`);
}

export interface ExpectedFailure {
  stage: Stage;
  exitCode: ExitCodeValue;
  message: RegExp;
  hint?: RegExp;
  details?: RegExp;
}

/** Awaits a run that must fail with a TrueSlimError naming the stage, with a hint and exit code. */
export async function expectRunError(run: Promise<unknown>, want: ExpectedFailure): Promise<TrueSlimError> {
  let caught: unknown;
  try {
    await run;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, 'the run must fail');
  assert.ok(caught instanceof TrueSlimError, `a TrueSlimError, got: ${(caught as Error)?.stack ?? String(caught)}`);
  const err = caught;
  const shown = `${err.name} [${err.stage}] ${err.message} | hint: ${err.hint} | details: ${(err.details ?? []).join(' / ')}`;
  if (process.env.TRUESLIM_TEST_SHOW_ERRORS) console.error(`observed: exit ${err.exitCode} ${shown}`);
  assert.equal(err.stage, want.stage, shown);
  assert.equal(err.exitCode, want.exitCode, shown);
  assert.match(err.message, want.message, shown);
  assert.ok(err.hint && err.hint.trim().length > 10, `a hint says what to do: ${shown}`);
  if (want.hint) assert.match(err.hint, want.hint, shown);
  if (want.details) assert.match((err.details ?? []).join('\n'), want.details, shown);
  return err;
}

/** Records stages and log lines; `on` runs a callback when a stage begins or a line arrives. */
export class Watch implements RunListener {
  readonly stages: Stage[] = [];
  readonly logs: string[] = [];
  current: Stage | undefined;
  private hooks: Array<{ when: (kind: 'stage' | 'log' | 'progress', text: string) => boolean; then: () => void; fired: boolean }> = [];

  constructor(private readonly verbose = !!process.env.TRUESLIM_TEST_VERBOSE) {}

  on(when: (kind: 'stage' | 'log' | 'progress', text: string) => boolean, then: () => void): this {
    this.hooks.push({ when, then, fired: false });
    return this;
  }

  private fire(kind: 'stage' | 'log' | 'progress', text: string): void {
    for (const h of this.hooks) {
      if (!h.fired && h.when(kind, text)) {
        h.fired = true;
        h.then();
      }
    }
  }

  stage = (stage: Stage, detail: string): void => {
    this.current = stage;
    this.stages.push(stage);
    if (this.verbose) console.error(`[${stage}] ${detail}`);
    this.fire('stage', stage);
  };

  log = (source: string, line: string): void => {
    this.logs.push(`${source}: ${line}`);
    if (this.verbose) console.error(`  ${source}: ${line}`);
    this.fire('log', `${source}: ${line}`);
  };

  progress = (fraction: number): void => {
    this.fire('progress', `${this.current}:${fraction}`);
  };
}

/** Builds test/fixtures/faults-app in one MODE on the busybox base; returns the image id. */
export function buildFaultsApp(mode: string): string {
  const tag = faultsAppTag(mode);
  execFileSync('docker', ['build', '-q', '--build-arg', `BASE=${BUSYBOX_IMAGE}`, '--build-arg', `MODE=${mode}`, '-t', tag, 'test/fixtures/faults-app'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return docker('image', 'inspect', '-f', '{{.Id}}', tag);
}

export const faultsAppTag = (mode: string): string => `trueslim-test/faults-app:${mode}`;

export { ExitCode };
