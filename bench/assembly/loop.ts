// Bench workload: a tight loop calling a small function once per iteration.

function mix(h: u32, i: u32): u32 {
  return (h ^ i) * 16777619;
}

export function run(n: i32): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < n; i++) h = mix(h, <u32>i);
  return h;
}
