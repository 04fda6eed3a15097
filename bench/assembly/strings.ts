// Bench workload: strings and arrays. Builds, joins, splits and sorts strings; hashes every word.

const WORDS: string[] = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda"];

function hashWord(s: string): u32 {
  let h: u32 = 2166136261;
  for (let i = 0, n = s.length; i < n; i++) h = (h ^ <u32>s.charCodeAt(i)) * 16777619;
  return h;
}

function makeLine(round: i32): string {
  const parts = new Array<string>();
  for (let i = 0; i < 48; i++) parts.push(WORDS[(i * 7 + round) % WORDS.length] + i.toString());
  return parts.join(" ");
}

export function run(n: i32): u32 {
  let acc: u32 = 0;
  for (let r = 0; r < n; r++) {
    const words = makeLine(r).split(" ");
    for (let k = 0; k < 8; k++) {
      for (let i = 0; i < words.length; i++) acc += hashWord(words[i]);
    }
    words.sort();
    acc ^= hashWord(words[0]);
  }
  return acc;
}
