import { createHash } from 'node:crypto';
import { displayPath } from '../tar/paths';
import { packageAlive, type Kept } from './liveness';
import type { Inventory } from './model';
import { purl } from './purl';

export interface CycloneDxOptions {
  /** ISO time for metadata.timestamp; omitted when not given (the output is then reproducible). */
  timestamp?: string;
  toolVersion?: string;
  /** Name of the image the SBOM describes. */
  subject?: string;
}

/**
 * A CycloneDX 1.5 JSON SBOM of the inventory. With `kept`, only packages that keep at least
 * one file in the slim image (what is really installed there), with their kept files.
 */
export function cyclonedx(inv: Inventory, kept?: Kept, options: CycloneDxOptions = {}): Record<string, unknown> {
  const pkgs = kept ? inv.packages.filter((p) => packageAlive(p, kept)) : inv.packages;
  const components: Array<Record<string, unknown>> = [];
  if (inv.os) {
    components.push({
      'bom-ref': `os:${inv.os.id}@${inv.os.versionId ?? ''}`,
      type: 'operating-system',
      name: inv.os.id,
      ...(inv.os.versionId ? { version: inv.os.versionId } : {}),
      ...(inv.os.prettyName ? { description: inv.os.prettyName } : {}),
    });
  }
  for (const pkg of pkgs) {
    const p = purl(pkg, inv.os);
    const files = kept ? pkg.files.filter(kept) : pkg.files;
    components.push({
      'bom-ref': pkg.id,
      type: 'library',
      name: pkg.name,
      version: pkg.version,
      purl: p,
      ...(pkg.licenses?.length ? { licenses: pkg.licenses.map((l) => ({ expression: l })) } : {}),
      properties: [
        { name: 'trueslim:ecosystem', value: pkg.ecosystem },
        { name: 'trueslim:files', value: String(files.length) },
        ...pkg.locations.map((l) => ({ name: 'trueslim:location', value: displayPath(l.root) })),
      ],
    });
  }
  const serial = createHash('sha256').update(components.map((c) => c['bom-ref']).join('\n')).update(kept ? 'slim' : 'full').digest('hex');
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${serial.slice(0, 8)}-${serial.slice(8, 12)}-5${serial.slice(13, 16)}-8${serial.slice(17, 20)}-${serial.slice(20, 32)}`,
    version: 1,
    metadata: {
      ...(options.timestamp ? { timestamp: options.timestamp } : {}),
      // The 1.4-style tools array (still valid in 1.5): Trivy's decoder rejects the 1.5 object
      // form and then ignores the whole SBOM, embedded or not (measured with its dev build).
      tools: [{ vendor: 'TrueSlim', name: 'trueslim', ...(options.toolVersion ? { version: options.toolVersion } : {}) }],
      ...(options.subject ? { component: { type: 'container', name: options.subject } } : {}),
    },
    components,
  };
}
