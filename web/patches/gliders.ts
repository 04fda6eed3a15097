// Gliders: every 40 steps a glider sets off from a random spot (replaces board/spawn).

import { HEIGHT, WIDTH, random, setAlive, steps } from "../assembly/board";

export function spawn(): void {
  if (steps() % 40 != 0) return;
  const x = <i32>(random() % WIDTH);
  const y = <i32>(random() % HEIGHT);
  setAlive(x + 1, y);
  setAlive(x + 2, y + 1);
  setAlive(x, y + 2);
  setAlive(x + 1, y + 2);
  setAlive(x + 2, y + 2);
}
