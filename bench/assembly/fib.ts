// Bench workload: recursion. `fib` calls itself about 3.5 million times for n = 32.

export function fib(n: i32): i32 {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export function run(n: i32): i32 {
  return fib(n);
}
