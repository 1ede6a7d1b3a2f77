import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTraceLog, type TraceRecord } from '../trace/traceLog';

/** Escapes like the sensor does, so a saved trace reads back with the same parser. */
function escapePath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    out += c > 0x20 && c < 0x7f && c !== 0x5c ? path[i] : '\\x' + c.toString(16).padStart(2, '0');
  }
  return out;
}

/** Saves the merged trace beside the report: "Keep this" rebuilds from it without tracing again. */
export async function writeTraceFile(file: string, records: TraceRecord[]): Promise<string> {
  const lines = records.map((r) => `${r.op} ${r.ok ? '+' : '-'} ${escapePath(r.path)}`);
  await writeFile(file, lines.join('\n') + '\n', 'latin1');
  return file;
}

export async function readTraceFile(file: string): Promise<TraceRecord[]> {
  return parseTraceLog(await readFile(file, 'latin1')).records;
}
