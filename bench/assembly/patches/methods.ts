// Patch for bench/assembly/methods.ts: the same Vec#dot, as a function of `this` (same field layout).

class Vec {
  x: f64;
  y: f64;
}

export function dot(self: Vec, o: Vec): f64 {
  return self.x * o.x + self.y * o.y;
}
