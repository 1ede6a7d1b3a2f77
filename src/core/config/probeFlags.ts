import { UsageError } from '../errors';
import type { ExecProbe, HostProbe, HttpProbe, ProbeConfig, WaitProbe } from './types';

export type ProbeFlag = '--probe-http' | '--probe-exec' | '--probe-host' | '--wait';

/** One probe from one CLI flag; the CLI calls this for each occurrence, in order. */
export function parseProbeFlag(flag: ProbeFlag, value: string | undefined): ProbeConfig {
  switch (flag) {
    case '--probe-http':
      return parseHttpProbeFlag(value ?? '');
    case '--probe-exec':
      return parseExecProbeFlag(value ?? '');
    case '--probe-host':
      return parseHostProbeFlag(value ?? '');
    case '--wait':
      return parseWaitFlag(value);
  }
}

/**
 * `PORT`, `PORT:PATH` or `PATH` (every EXPOSEd port), e.g. `8080:/fizzbuzz/15`. Only the
 * first colon splits, so a path may contain colons.
 */
export function parseHttpProbeFlag(value: string): HttpProbe {
  const text = value.trim();
  const example = 'e.g. --probe-http 8080:/health, --probe-http 8080 or --probe-http /health';
  if (!text) throw new UsageError('--probe-http needs PORT, PORT:PATH or PATH', example);
  const colon = text.indexOf(':');
  const portText = text.startsWith('/') ? undefined : colon === -1 ? text : text.slice(0, colon);
  const pathText = text.startsWith('/') ? text : colon === -1 ? undefined : text.slice(colon + 1);
  const probe: HttpProbe = { type: 'http' };
  if (portText !== undefined) {
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new UsageError(`--probe-http ${value}: "${portText}" is not a port (1-65535)`, example);
    probe.port = port;
  }
  if (pathText) probe.paths = [pathText.startsWith('/') ? pathText : `/${pathText}`];
  return probe;
}

/** A command run in the container with /bin/sh -c. */
export function parseExecProbeFlag(value: string): ExecProbe {
  if (!value.trim()) throw new UsageError('--probe-exec needs a command', 'e.g. --probe-exec "myapp --self-test"');
  return { type: 'exec', command: value };
}

/** A command run on the host with sh -c (gets TRUESLIM_URL and friends). */
export function parseHostProbeFlag(value: string): HostProbe {
  if (!value.trim()) throw new UsageError('--probe-host needs a command', 'e.g. --probe-host "curl -f $TRUESLIM_URL/health"');
  return { type: 'host', command: value };
}

/** `--wait SECONDS`; without a value, trace until the user finishes. */
export function parseWaitFlag(value: string | undefined): WaitProbe {
  if (value === undefined || value.trim() === '') return { type: 'wait' };
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--wait ${value}: not a positive number of seconds`, 'e.g. --wait 30, or --wait alone to trace until you press Enter');
  return { type: 'wait', seconds };
}
