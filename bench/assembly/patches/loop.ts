// Patch for bench/assembly/loop.ts: the same mix.

export function mix(h: u32, i: u32): u32 {
  return (h ^ i) * 16777619;
}
