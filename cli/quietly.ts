/** Runs `work` with CDK's bundling chatter (esbuild's "Bundling asset …" lines) held back; shown only if it fails. */
export function quietly<T>(work: () => T): T {
  const write = process.stderr.write.bind(process.stderr);
  let held = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    held += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return work();
  } catch (err) {
    write(held);
    throw err;
  } finally {
    process.stderr.write = write;
  }
}
