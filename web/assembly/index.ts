// A Game of Life to patch live: the page calls step() on a timer and draws render()'s pixels.
// Patch rule() to change how it behaves, cellColor() to change how it looks; the board, the
// step counter and every trail survive each patch.

import { WIDTH, HEIGHT, scatter } from "./board";
export { step, steps, population, rule, cooling } from "./board";
export { render, cellColor } from "./palette";

for (let x = 0; x < WIDTH; x += HEIGHT) scatter(x, 0, HEIGHT);

/** Board width in cells. */
export function width(): i32 {
  return WIDTH;
}

/** Board height in cells. */
export function height(): i32 {
  return HEIGHT;
}
