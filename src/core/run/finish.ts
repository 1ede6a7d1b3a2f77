import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ExitCode, throwIfCancelled, TrueSlimError } from '../errors';
import { permissionViolations } from '../posture/permissions';
import { securityPosture } from '../posture/posture';
import { accessFiles, accessWarnings, removedConffiles } from '../posture/accessControl';
import type { RunListener } from '../events';
import { indexImage, type FsIndex } from '../image/fsIndex';
import { loadSlimImage, removeUntaggedImage, tagSlimImage } from '../image/loadImage';
import { writeSlimLayer } from '../image/slimLayer';
import { exportImage } from '../image/sourceImage';
import { copyDestinations, requestedPackages } from '../plan/appFiles';
import { elfDynamicObserver, type ElfDeps } from '../plan/elfDynamic';
import { imageTextsObserver, nssServices, type ImageTexts } from '../plan/imageTexts';
import { planKeepSet, type KeepPlanInput } from '../plan/keepSet';
import { resolveRuntimeUser } from '../plan/runtimeUser';
import { reportFiles, toolVersion } from '../report/buildReport';
import { planWarnings } from '../plan/planWarnings';
import { displayPath } from '../tar/paths';
import { REPORT_SCHEMA_VERSION, type FailureCause, type ProbeOutcome, type Report, type RunPrivileges } from '../report/types';
import type { TraceRecord } from '../trace/traceLog';
import { verifyProbesFor } from '../probes/healthcheck';
import { diagnoseSlim } from '../verify/diagnose';
import { verifySlim } from '../verify/verifySlim';
import type { SlimResult } from './api';
import { usedInteractively } from './interactive';
import type { Cleanup } from './cleanup';
import { inventoryObserver, inventoryStage, type InventoryStage } from './inventoryStage';
import type { Prepared } from './prepare';
import type { StageClock } from './timings';
import { writeTraceFile } from './savedTrace';
import { composeVerifyOptions } from './compose';

export interface FinishInput {
  prepared: Prepared;
  runId: string;
  runDir: string;
  reportPath: string;
  records: TraceRecord[];
  syscallStops?: number;
  traceOutcomes: ProbeOutcome[];
  privileges: RunPrivileges;
  /** An index made while the app was traced (saves one export), if there is one. */
  index?: Promise<SourceIndex>;
}

export interface SourceIndex {
  index: FsIndex;
  inventory: InventoryStage;
  elf: ElfDeps;
  texts: ImageTexts;
}

/** Reads the source image once: the path index, the inventory, ELF dependencies and a few texts, in a single pass. */
export async function indexSource(p: Prepared, runId: string, signal?: AbortSignal): Promise<SourceIndex> {
  const collector = inventoryObserver();
  const elf = elfDynamicObserver();
  const texts = imageTextsObserver();
  const exp = await exportImage(p.docker, p.source.id, runId);
  let index: FsIndex;
  try {
    index = await indexImage(exp.stream, [collector.observer, elf.observer, texts.observer], signal);
  } finally {
    await exp.close();
  }
  const inventory = inventoryStage(await collector.finish(), usedInteractively(p.target.kind, p.source.command));
  return { index, inventory, elf: elf.result(), texts: texts.result() };
}

/** What the plan keeps beyond the trace, from the image's own configuration and files. */
function imageFacts(p: Prepared, texts: ImageTexts): Pick<KeepPlanInput, 'appTrees' | 'requestedPackages' | 'runtimeUser' | 'ldLibraryPath' | 'nssServices' | 'extraDirs'> {
  const ldPath = p.source.env.find((e) => e.startsWith('LD_LIBRARY_PATH='))?.slice('LD_LIBRARY_PATH='.length);
  return {
    extraDirs: [p.source.workingDir],
    appTrees: [...copyDestinations(p.source.history), ...p.source.volumes],
    requestedPackages: requestedPackages(p.source.history),
    runtimeUser: resolveRuntimeUser(p.source.user, texts.get('/etc/passwd'), texts.get('/etc/group')),
    ldLibraryPath: ldPath ? ldPath.split(':').filter((d) => d.startsWith('/')) : undefined,
    nssServices: nssServices(texts.get('/etc/nsswitch.conf')),
  };
}

/** plan → assemble → verify → report, from a trace (fresh, or saved by an earlier run). */
export async function finishFromTrace(
  input: FinishInput,
  clock: StageClock,
  cleanup: Cleanup,
  listener: RunListener,
  signal?: AbortSignal,
  finishSignal?: AbortSignal,
): Promise<SlimResult> {
  const p = input.prepared;
  clock.enter('plan', 'deciding what the slim image keeps');
  const { index, inventory, elf, texts } = await (input.index ?? indexSource(p, input.runId, signal));
  throwIfCancelled(signal, 'plan');
  const policy = p.config.metadata;
  let metadataResult: ReturnType<InventoryStage['metadata']> | undefined;
  const plan = planKeepSet({
    index,
    records: input.records,
    include: p.config.include,
    exclude: p.config.exclude,
    mode: p.config.keep,
    packages: inventory.packageFiles,
    elf,
    ...imageFacts(p, texts),
    metadata: (isKept) => {
      metadataResult = inventory.metadata(isKept, policy);
      return metadataResult.keep;
    },
  });

  const isKept = (path: string): boolean => plan.reasons.has(path);
  clock.enter('assemble', `writing ${p.slimTag}`);
  const work = await mkdtemp(join(tmpdir(), `trueslim-${input.runId}-`));
  cleanup.add('temporary folder', () => rm(work, { recursive: true, force: true }));
  const exp = await exportImage(p.docker, p.source.id, input.runId);
  let layer;
  try {
    layer = await writeSlimLayer({
      exportStream: exp.stream,
      plan,
      rewrites: metadataResult?.rewrite,
      extraFiles: p.config.embedSbom ? embeddedSbom(inventory.sbom(isKept)) : undefined,
      layerPath: join(work, 'layer.tar'),
      signal,
      onBytes: (b) => listener.progress?.(Math.min(1, b / Math.max(1, index.totalBytes)), undefined),
    });
  } finally {
    await exp.close();
  }
  // Loaded untagged and tagged once verified: a failed or cancelled run leaves the slim
  // image of an earlier run under its tag.
  const slimId = await loadSlimImage(p.docker, p.source, layer, undefined, toolVersion(), signal);
  let tagged = false;
  cleanup.add('untagged slim image', async () => {
    if (!tagged) await removeUntaggedImage(p.docker, slimId);
  });
  await rm(join(work, 'layer.tar'), { force: true });
  const slimInfo = await p.docker.getImage(slimId).inspect();
  await refuseLoosenedPermissions(p, slimId, input.runId, index);

  clock.enter('verify', `running ${p.slimTag} under the same probes`);
  const verifySpec = {
    image: slimId,
    runId: input.runId,
    probes: verifyProbesFor(p.probes, p.source.healthcheck, input.traceOutcomes),
    ports: p.ports,
    exposedPorts: p.source.exposedPorts,
    network: p.network,
    ...composeVerifyOptions(p),
    listener,
    signal,
    finishSignal,
  };
  const verify = await verifySlim(p.docker, verifySpec);
  let causes: FailureCause[] | undefined;
  if (!verify.passed) {
    clock.enter('verify', `tracing ${p.slimTag} to find what it lacks`);
    causes = await diagnoseSlim(p.docker, { ...verifySpec, architecture: p.source.architecture, command: p.source.command, user: p.source.user }, index, isKept).catch((err: Error) => {
      listener.log?.('engine', `could not trace the slim image to explain the failure: ${err.message}`);
      return undefined;
    });
    throwIfCancelled(signal, 'verify');
  }

  // A failed verification keeps the slim image under its tag too, for inspection.
  await tagSlimImage(p.docker, slimId, p.slimTag);
  tagged = true;

  clock.enter('report', 'writing the report');
  await mkdir(input.runDir, { recursive: true });
  const named = artifactNames(input.runDir, input.reportPath);
  const sbomBefore = named('sbom-before.cdx.json');
  const sbomAfter = named('sbom-after.cdx.json');
  await writeFile(sbomBefore, JSON.stringify(inventory.sbom(), null, 2));
  await writeFile(sbomAfter, JSON.stringify(inventory.sbom(isKept), null, 2));
  const traceLog = await writeTraceFile(named('trace.log'), input.records);
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'trueslim', version: toolVersion() },
    createdAt: new Date().toISOString(),
    target: targetOf(p),
    source: { image: p.source.reference, id: p.source.id, sizeBytes: p.source.sizeBytes, files: index.fileCount },
    slim: { image: p.slimTag, id: slimId, sizeBytes: slimInfo.Size, files: layer.files },
    metadataPolicy: policy,
    keepMode: p.config.keep,
    verify: { passed: verify.passed, ...(causes ? { causes } : {}) },
    probes: [...input.traceOutcomes, ...verify.outcomes],
    files: reportFiles(index, plan, inventory),
    missing: plan.missing.map(displayPath),
    created: plan.created.map(displayPath),
    warnings: [
      ...planWarnings(plan, p.config.keep),
      ...accessWarnings(accessFiles(index, plan.reasons), removedConffiles(index, plan.reasons, inventory.packageFiles), plan.excluded, texts),
      ...inventory.warnings(isKept, policy),
    ],
    inventory: inventory.summary(isKept, metadataResult?.removedRecords ?? []),
    security: securityPosture(index, plan.reasons, { interactive: usedInteractively(p.target.kind, p.source.command) }),
    trace: { privileges: input.privileges, records: input.records.length, syscallStops: input.syscallStops },
    timings: clock.finish(),
    artifacts: { traceLog, sbomBefore, sbomAfter, report: input.reportPath },
  };
  await writeFile(input.reportPath, JSON.stringify(report, null, 1));
  return { report, reportPath: input.reportPath, exitCode: verify.passed ? ExitCode.ok : ExitCode.verifyFailed };
}

/**
 * The trace and SBOMs go beside the report: `trace.log` for the default `report.json`, and
 * `<name>.trace.log` for a report called `<name>.json`, so two runs reporting into one folder
 * keep their own files.
 */
export function artifactNames(runDir: string, reportPath: string): (file: string) => string {
  const name = basename(reportPath).replace(/\.json$/i, '');
  return (file) => join(runDir, name === 'report' ? file : `${name}.${file}`);
}

/**
 * The slim image, read back, may not make anything writable by more users than the source
 * did: such an image is never tagged (the cleanup removes it) and the run fails with exit 6.
 */
async function refuseLoosenedPermissions(p: Prepared, slimId: string, runId: string, source: FsIndex): Promise<void> {
  const exp = await exportImage(p.docker, slimId, runId);
  let violations: string[];
  try {
    violations = await permissionViolations(exp.stream, source);
  } finally {
    await exp.close();
  }
  if (violations.length === 0) return;
  throw new TrueSlimError(
    'assemble',
    `The slim image would be more writable than the source: ${violations.slice(0, 5).join('; ')}${violations.length > 5 ? ` (and ${violations.length - 5} more)` : ''}`,
    'This is a TrueSlim bug: the slim image was not tagged. Please report it with the log.',
    ExitCode.permissions,
    violations,
  );
}

/** Where `embedSbom` puts the slim image's own CycloneDX SBOM (Trivy reads `*.cdx.json` anywhere). */
export const EMBEDDED_SBOM_PATH = '/usr/share/trueslim/sbom.cdx.json';

function embeddedSbom(sbom: object): NonNullable<Parameters<typeof writeSlimLayer>[0]['extraFiles']> {
  return [
    { path: '/usr/share/trueslim', type: 'dir', mode: 0o755 },
    { path: EMBEDDED_SBOM_PATH, type: 'file', mode: 0o644, content: Buffer.from(JSON.stringify(sbom, null, 1)) },
  ];
}

function targetOf(p: Prepared): Report['target'] {
  const t = p.target;
  if (t.kind === 'dockerfile') return { kind: 'dockerfile', path: t.dockerfile, reference: p.source.reference };
  if (t.kind === 'devcontainer') return { kind: 'devcontainer', path: t.devcontainerPath, reference: p.source.reference };
  if (t.kind === 'compose') return { kind: 'compose', path: t.composePath, reference: p.source.reference };
  return { kind: 'image', reference: t.reference };
}
