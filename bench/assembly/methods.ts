// Bench workload: methods. Small vector objects, instance and virtual methods, a getter.

class Vec {
  constructor(public x: f64, public y: f64) {}
  dot(o: Vec): f64 { return this.x * o.x + this.y * o.y; }
  get lengthSq(): f64 { return this.dot(this); }
  addScaled(o: Vec, k: f64): void { this.x += o.x * k; this.y += o.y * k; }
}

abstract class Shape {
  abstract area(): f64;
}

class Circle extends Shape {
  constructor(public r: f64) { super(); }
  area(): f64 { return 3.141592653589793 * this.r * this.r; }
}

class Rect extends Shape {
  constructor(public w: f64, public h: f64) { super(); }
  area(): f64 { return this.w * this.h; }
}

class Body {
  pos: Vec;
  vel: Vec;
  constructor(i: i32) {
    this.pos = new Vec(0, 0);
    this.vel = new Vec(0, 0);
    this.reset(i);
  }
  reset(i: i32): void {
    this.pos.x = <f64>i; this.pos.y = <f64>(i * 2);
    this.vel.x = 1.0 / <f64>(i + 1); this.vel.y = 0.5;
  }
  step(dt: f64, pull: Vec): void {
    this.vel.addScaled(pull, dt);
    this.pos.addScaled(this.vel, dt);
  }
  energy(): f64 { return 0.5 * this.vel.lengthSq; }
}

const bodies = new Array<Body>();
const shapes = new Array<Shape>();
for (let i = 0; i < 64; i++) {
  bodies.push(new Body(i));
  shapes.push(i % 2 == 0 ? <Shape>new Circle(<f64>i) : <Shape>new Rect(<f64>i, 2.0));
}

export function run(n: i32): f64 {
  const pull = new Vec(0.0, -0.001);
  let total = 0.0;
  for (let i = 0; i < bodies.length; i++) unchecked(bodies[i]).reset(i); // every run computes the same
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < bodies.length; i++) {
      const b = unchecked(bodies[i]);
      b.step(0.01, pull);
      total += b.energy() + b.pos.dot(pull);
    }
    for (let i = 0; i < shapes.length; i++) total += unchecked(shapes[i]).area();
  }
  return total;
}
