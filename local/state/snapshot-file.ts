import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';

const FORMAT = 1;

/**
 * A value kept in one file between runs, in V8's serialization (Maps, Sets,
 * Dates and byte arrays come back as they were). Writes go to a temporary
 * file renamed over the old one, so a crash mid-write leaves the previous
 * snapshot whole. Mode 0600: secrets and parameters are among what is kept.
 */
export class SnapshotFile<T> {
  constructor(readonly path: string) {}

  /** The kept value, or undefined when there is none or it can't be read (a newer format, a torn disk). */
  load(): T | undefined {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch {
      return undefined;
    }
    try {
      const kept = deserialize(bytes) as { format?: unknown; value?: unknown };
      return kept.format === FORMAT ? (kept.value as T) : undefined;
    } catch {
      return undefined;
    }
  }

  save(value: T): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, serialize({ format: FORMAT, value }), { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
