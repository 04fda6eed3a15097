// Reading module bytes from a path: the file system under Node, fetch elsewhere.

/** Reads the bytes at `path`. */
export type ReadFile = (path: string) => Promise<Uint8Array>;

/** Reads a file under Node, or fetches the path as a URL in a browser. */
export const defaultReadFile: ReadFile = async (path) => {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node) {
    // A computed specifier keeps browser bundles free of node:fs.
    const specifier = "node:fs/promises";
    const fs = (await import(/* @vite-ignore */ specifier)) as typeof import("node:fs/promises");
    return new Uint8Array(await fs.readFile(path));
  }
  const res = await fetch(path);
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
};

/** Copies any byte source to a Uint8Array that owns its buffer. */
export function toBytes(source: Uint8Array | ArrayBuffer): Uint8Array {
  return source instanceof Uint8Array ? new Uint8Array(source) : new Uint8Array(source.slice(0));
}
