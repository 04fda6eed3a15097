// Bench workload for shadow fields and the free-object hook: objects with a field read and written
// in a loop, and objects created and dropped (each one freed by the collector).

export class Cell {
  count: i32 = 0;
  constructor(public id: i32) {}
}

const cells: Cell[] = [];

/** Makes the cells the field loop works on. */
export function setup(n: i32): i32 {
  for (let i = 0; i < n; i++) cells.push(new Cell(i));
  return cells.length;
}

/** Reads and writes a field of `n` cells in turn: two reads and a write per iteration. */
export function fields(n: i32): i32 {
  let sum = 0;
  const mask = cells.length - 1;
  for (let i = 0; i < n; i++) {
    const cell = unchecked(cells[i & mask]);
    cell.count += 1;
    sum += cell.count;
  }
  return sum;
}

/** Creates and drops `n` cells; the collector frees them (and calls the free-object hook for each). */
export function churn(n: i32): i32 {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += new Cell(i).id & 1;
  return sum;
}
