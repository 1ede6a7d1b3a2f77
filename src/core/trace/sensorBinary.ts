import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TrueSlimError } from '../errors';

const ARCHES: Record<string, string> = { amd64: 'amd64', x86_64: 'amd64', arm64: 'arm64', aarch64: 'arm64' };

/**
 * The static sensor built by `npm run build` for the image's architecture. Bundles live in
 * dist/ next to dist/sensor/; tests run the sources, two folders further down.
 */
export function sensorBinaryPath(imageArch: string): string {
  const arch = ARCHES[imageArch];
  if (!arch) {
    throw new TrueSlimError('trace', `No sensor for image architecture '${imageArch}'`, 'TrueSlim traces amd64 and arm64 images.');
  }
  const name = `trueslim-sensor-linux-${arch}`;
  const candidates = [join(__dirname, 'sensor', name), join(__dirname, '..', '..', '..', 'dist', 'sensor', name)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new TrueSlimError(
      'trace',
      `The ${arch} sensor binary is missing (looked for ${name} next to the bundle)`,
      arch === 'arm64'
        ? 'Install Debian\'s gcc-aarch64-linux-gnu and run `npm run build` to build the arm64 sensor.'
        : 'Run `npm run build` to build the sensor.',
    );
  }
  return found;
}
