// Patch for bench/assembly/fib.ts: the same fib, recursing through the base's fib (each call dispatched).

@external("ref", "fib") declare function baseFib(n: i32): i32;

export function fib(n: i32): i32 {
  return n < 2 ? n : baseFib(n - 1) + baseFib(n - 2);
}
