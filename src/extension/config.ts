import * as vscode from 'vscode';
import type { ProbeConfig } from '../core/config/types';
import type { KeepMode, MetadataPolicy } from '../core/report/types';

export const SECTION = 'trueslim';

/** Setting keys (below `trueslim.`), in one place; package.json declares the same. */
export const Setting = {
  probeDefault: 'probe.default',
  probeHttpPort: 'probe.http.port',
  probeHttpPaths: 'probe.http.paths',
  probeWaitSeconds: 'probe.wait.seconds',
  metadataPolicy: 'metadataPolicy',
  keep: 'keep',
  outputTag: 'outputTag',
  dockerHost: 'dockerHost',
  keepIntermediate: 'keepIntermediate',
  configFile: 'configFile',
} as const;
export type SettingKey = (typeof Setting)[keyof typeof Setting];

/** Typed view of the `trueslim.*` settings, read fresh for the resource a command runs on. */
export class Config {
  constructor(private readonly scope?: vscode.Uri) {}

  private get<T>(key: SettingKey, fallback: T): T {
    return vscode.workspace.getConfiguration(SECTION, this.scope).get<T>(key, fallback) ?? fallback;
  }

  get probeDefault(): 'none' | 'http' | 'wait' {
    return this.get(Setting.probeDefault, 'none');
  }

  get probeHttpPort(): number | undefined {
    return this.get<number | null>(Setting.probeHttpPort, null) ?? undefined;
  }

  get probeHttpPaths(): string[] {
    return this.get(Setting.probeHttpPaths, ['/']);
  }

  get probeWaitSeconds(): number | undefined {
    return this.get<number | null>(Setting.probeWaitSeconds, null) ?? undefined;
  }

  /** The probes used when the configuration file defines none (`none`: start-up only). */
  get defaultProbes(): ProbeConfig[] {
    switch (this.probeDefault) {
      case 'http':
        return [{ type: 'http', port: this.probeHttpPort, paths: this.probeHttpPaths }];
      case 'wait':
        return [{ type: 'wait', seconds: this.probeWaitSeconds }];
      default:
        return [];
    }
  }

  get metadataPolicy(): MetadataPolicy {
    return this.get(Setting.metadataPolicy, 'preserve');
  }

  get keepMode(): KeepMode {
    return this.get(Setting.keep, 'packages');
  }

  get outputTag(): string {
    return this.get(Setting.outputTag, '{repo}:{tag}-slim');
  }

  get dockerHost(): string | undefined {
    return this.get(Setting.dockerHost, '') || undefined;
  }

  get keepIntermediate(): boolean {
    return this.get(Setting.keepIntermediate, false);
  }

  get configFile(): string | undefined {
    return this.get(Setting.configFile, '') || undefined;
  }

  /** Opens the Settings UI filtered to TrueSlim. */
  static openSettings(): Thenable<unknown> {
    return vscode.commands.executeCommand('workbench.action.openSettings', `@ext:trueslim.trueslim`);
  }
}
