import { parseArgs } from 'node:util';
import { ExitCode, TrueSlimError, UsageError } from './core/errors';
import type { RunListener } from './core/events';
import { parseProbeFlag, type ProbeFlag } from './core/config/probeFlags';
import type { ProbeConfig } from './core/config/types';
import { parseSecretSpec } from './core/docker/buildSecrets';
import { KEEP_MODES, type KeepMode, type MetadataPolicy } from './core/report/types';
import { slim } from './core/run/slim';
import { summarize } from './core/report/summary';
import { cliCommands } from './cliCommands';
import { writeComposeOverride } from './composeOverrideFlag';

const USAGE = `Usage:
  trueslim slim <Dockerfile|devcontainer.json|compose.yaml|image> [options]
  trueslim inventory <image|Dockerfile|devcontainer.json> [--json]
  trueslim lint <Dockerfile|trueslim.json>... [--json]   (exit 1 on errors)

slim options:
  --config FILE              probe configuration (default: trueslim.json beside the target)
  --probe-http PORT[:PATH]   http probe (repeatable)
  --probe-exec CMD           command run in the container through the sensor (repeatable)
  --probe-host CMD           command run on the host with TRUESLIM_HOST/TRUESLIM_PORT_* (repeatable)
  --wait SECONDS             keep tracing N seconds; without a number, until Enter
  --tag NAME                 output tag pattern ({repo}, {tag}); default {repo}:{tag}-slim
  --metadata POLICY          preserve (default) | prune | strip
  --keep MODE                packages (default: whole packages of what the trace touched) |
                             files (only traced files: smaller, may break beyond the probe)
  --include GLOB / --exclude GLOB   keep / drop image paths (repeatable)
  --build-arg NAME=VALUE     (repeatable)   --target STAGE   --platform OS/ARCH
  --secret id=ID,src=FILE | id=ID,env=VAR   BuildKit build secret (repeatable)
  --report FILE              where to write the report JSON
  --embed-sbom               embed a CycloneDX SBOM of the slim image (/usr/share/trueslim/sbom.cdx.json)
  --all-cpus                 trace the app on every CPU (default: one CPU, about half the trace's cost)
  --force                    slim an image TrueSlim produced
  --service NAME             the compose service to slim (compose.yaml / docker-compose.yml)
  --compose-override FILE    write a compose override that runs the slim image ('-': print it)
  --docker-host URL          Docker endpoint (default: like the docker CLI)

Exit codes: 0 ok, 1 verification failed, 2 usage or configuration error,
            3 engine error, 4 build failed, 5 trace or probe failed, 130 cancelled`;

/** Progress on stderr: one line per stage, logs indented, nothing on stdout but the summary. */
function stderrListener(verbose: boolean): RunListener {
  return {
    stage: (stage, detail) => process.stderr.write(`[${stage}] ${detail}\n`),
    log: (source, line) => {
      if (verbose || source === 'build' || source === 'probe') process.stderr.write(`  ${source}: ${line}\n`);
    },
    waitingForFinish: () => process.stderr.write('Tracing until you press Enter — exercise the app now.\n'),
  };
}

function probesFrom(argv: string[]): ProbeConfig[] {
  const probes: ProbeConfig[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!.split('=')[0] as ProbeFlag;
    if (flag === '--probe-http' || flag === '--probe-exec' || flag === '--probe-host' || flag === '--wait') {
      const inline = argv[i]!.includes('=') ? argv[i]!.slice(argv[i]!.indexOf('=') + 1) : undefined;
      let value = inline;
      if (value === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) value = argv[++i];
      probes.push(parseProbeFlag(flag, value));
    }
  }
  return probes;
}

function keyValues(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--build-arg expects NAME=VALUE, got '${item}'`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

async function runSlim(args: string[], signal: AbortSignal, finish: AbortController): Promise<number> {
  const probeArgs = probesFrom(args);
  const rest = args.filter((a, i) => {
    const flag = a.split('=')[0];
    const isProbe = ['--probe-http', '--probe-exec', '--probe-host', '--wait'].includes(flag!);
    const prev = args[i - 1]?.split('=')[0];
    const valueOfProbe = ['--probe-http', '--probe-exec', '--probe-host', '--wait'].includes(prev ?? '') && !args[i - 1]!.includes('=') && !a.startsWith('--');
    return !isProbe && !valueOfProbe;
  });
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      tag: { type: 'string' },
      metadata: { type: 'string' },
      keep: { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'build-arg': { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      target: { type: 'string' },
      platform: { type: 'string' },
      report: { type: 'string' },
      force: { type: 'boolean' },
      'embed-sbom': { type: 'boolean' },
      'all-cpus': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      'docker-host': { type: 'string' },
      service: { type: 'string' },
      'compose-override': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('slim takes exactly one target', USAGE);
  const metadata = values.metadata as MetadataPolicy | undefined;
  if (metadata && !['preserve', 'prune', 'strip'].includes(metadata)) {
    throw new UsageError(`--metadata must be preserve, prune or strip (got '${metadata}')`);
  }
  const keep = values.keep as KeepMode | undefined;
  if (keep && !KEEP_MODES.includes(keep)) {
    throw new UsageError(`--keep must be ${KEEP_MODES.join(' or ')} (got '${keep}')`);
  }
  // An open-ended wait probe (from --wait or trueslim.json) asks for Enter when it starts;
  // a stdin that ends (no terminal, </dev/null) finishes it too rather than hang forever.
  const base = stderrListener(values.verbose ?? false);
  let listening = false;
  const listener: RunListener = {
    ...base,
    waitingForFinish: () => {
      base.waitingForFinish?.();
      if (listening) return;
      listening = true;
      process.stdin.once('data', () => finish.abort());
      process.stdin.once('end', () => finish.abort());
      process.stdin.resume();
    },
  };
  const result = await slim(
    {
      target: positionals[0]!,
      service: values.service,
      configPath: values.config,
      reportPath: values.report,
      force: values.force,
      dockerHost: values['docker-host'],
      finishSignal: finish.signal,
      overrides: {
        probes: probeArgs.length > 0 ? probeArgs : undefined,
        metadata,
        keep,
        tag: values.tag,
        embedSbom: values['embed-sbom'],
        traceOnOneCpu: values['all-cpus'] ? false : undefined,
        include: values.include,
        exclude: values.exclude,
        buildArgs: values['build-arg'] ? keyValues(values['build-arg']) : undefined,
        secrets: values.secret?.map((spec) => parseSecretSpec(spec, process.cwd())),
        target: values.target,
        platform: values.platform,
      },
    },
    listener,
    signal,
  );
  process.stdin.pause();
  process.stdout.write(summarize(result.report, result.reportPath) + '\n');
  const compose = result.report.compose;
  if (compose) {
    const deps = compose.dependencies.map((d) => `${d.service} (${d.image})`).join(', ') || 'no other service';
    process.stdout.write(`compose: ${compose.service} ran beside ${deps}, unslimmed, on the run's own network; override: ${result.report.artifacts.composeOverride ?? '-'}\n`);
  }
  if (values['compose-override'] !== undefined) await writeComposeOverride(result.report, values['compose-override']);
  return result.exitCode;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const controller = new AbortController();
  const finish = new AbortController();
  let interrupts = 0;
  const onSignal = (name: string): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\n${name}: cancelling, cleaning up (press Ctrl-C again to quit at once)…\n`);
      controller.abort();
    } else process.exit(ExitCode.cancelled);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    if (command === 'slim') return await runSlim(args, controller.signal, finish);
    const other = cliCommands[command ?? ''];
    if (other) return await other(args, controller.signal);
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(USAGE + '\n');
      return command === undefined ? ExitCode.usage : ExitCode.ok;
    }
    throw new UsageError(`Unknown command '${command}'`, USAGE);
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof TrueSlimError) {
    process.stderr.write(`trueslim: ${err.stage}: ${err.message}\n`);
    if (err.details?.length) process.stderr.write(err.details.map((l) => `  | ${l}`).join('\n') + '\n');
    if (err.hint) process.stderr.write(`  → ${err.hint}\n`);
    return err.exitCode;
  }
  if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`trueslim: ${(err as Error).message}\n\n${USAGE}\n`);
    return ExitCode.usage;
  }
  process.stderr.write(`trueslim: unexpected error (a bug): ${(err as Error).stack ?? String(err)}\n`);
  return ExitCode.engine;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`trueslim: ${String(err)}\n`);
    process.exit(ExitCode.engine);
  },
);
