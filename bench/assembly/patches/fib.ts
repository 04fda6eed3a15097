// Patch for bench/assembly/fib.ts: the same fib, recursing inside the patch.

export function fib(n: i32): i32 {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
