// The board of the Game of Life: a torus of cells, each alive or dead, with a "heat" that is
// 255 while a cell lives and cools down after it dies (the trails the page draws).

export const WIDTH = 128;
export const HEIGHT = 80;

let cells = new StaticArray<u8>(WIDTH * HEIGHT);
let next = new StaticArray<u8>(WIDTH * HEIGHT);
let heat = new StaticArray<u8>(WIDTH * HEIGHT);
let stepCount: i32 = 0;
let seed: u32 = 0x9e3779b9;

/** A pseudo-random number (xorshift32), the same sequence on every run. */
export function random(): u32 {
  let x = seed;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  seed = x;
  return x;
}

/** The rule: whether a cell lives in the next step (Conway's B3/S23). */
export function rule(alive: bool, neighbours: i32): bool {
  return alive ? neighbours == 2 || neighbours == 3 : neighbours == 3;
}

/** How much a dead cell's trail cools down per step. */
export function cooling(): i32 {
  return 14;
}

/** Is the cell at (x, y) alive (coordinates wrap around). */
export function isAlive(x: i32, y: i32): bool {
  const cx = (x + WIDTH) % WIDTH;
  const cy = (y + HEIGHT) % HEIGHT;
  return unchecked(cells[cy * WIDTH + cx]) != 0;
}

/** Brings the cell at (x, y) to life. */
export function setAlive(x: i32, y: i32): void {
  const i = ((y + HEIGHT) % HEIGHT) * WIDTH + (x + WIDTH) % WIDTH;
  unchecked(cells[i] = 1);
  unchecked(heat[i] = 255);
}

/** Fills a square of the board at random, about a third of it alive. */
export function scatter(x0: i32, y0: i32, size: i32): void {
  for (let y = y0; y < y0 + size; y++) {
    for (let x = x0; x < x0 + size; x++) {
      if (random() % 3 == 0) setAlive(x, y);
    }
  }
}

/** Keeps the board lively: a new random patch every 150 steps. */
export function spawn(): void {
  if (stepCount % 150 == 0) scatter(<i32>(random() % WIDTH), <i32>(random() % HEIGHT), 12);
}

/** Advances the board by one step; returns the number of steps so far. */
export function step(): i32 {
  const cool = cooling();
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx != 0 || dy != 0) && isAlive(x + dx, y + dy)) n++;
        }
      }
      const i = y * WIDTH + x;
      const lives = rule(unchecked(cells[i]) != 0, n);
      unchecked(next[i] = lives ? 1 : 0);
      const h = <i32>unchecked(heat[i]);
      unchecked(heat[i] = lives ? 255 : <u8>max(0, min(h, 254) - cool));
    }
  }
  const swap = cells;
  cells = next;
  next = swap;
  stepCount++;
  spawn();
  return stepCount;
}

/** Steps taken since the program started. */
export function steps(): i32 {
  return stepCount;
}

/** Cells alive now. */
export function population(): i32 {
  let n = 0;
  for (let i = 0; i < WIDTH * HEIGHT; i++) n += <i32>unchecked(cells[i]);
  return n;
}

/** The heat of cell i (255 alive, then cooling to 0). */
export function heatAt(i: i32): i32 {
  return <i32>unchecked(heat[i]);
}
