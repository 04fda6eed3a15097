// Patch for bench/assembly/strings.ts: the same hashWord (reads the base's strings, allocates nothing).

export function hashWord(s: string): u32 {
  let h: u32 = 2166136261;
  for (let i = 0, n = s.length; i < n; i++) h = (h ^ <u32>s.charCodeAt(i)) * 16777619;
  return h;
}
