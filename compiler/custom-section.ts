// Appends a custom section to a module binary (custom sections may stand anywhere after the header).

/** Returns `module` with a custom section `name` holding `payload` appended. */
export function appendCustomSection(module: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...uleb(nameBytes.length), ...nameBytes];
  const size = body.length + payload.length;
  const header = [0x00, ...uleb(size)];
  const out = new Uint8Array(module.length + header.length + body.length + payload.length);
  out.set(module, 0);
  out.set(header, module.length);
  out.set(body, module.length + header.length);
  out.set(payload, module.length + header.length + body.length);
  return out;
}

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}
