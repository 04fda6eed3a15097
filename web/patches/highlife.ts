// HighLife: cells are born with 3 or 6 neighbours and survive with 2 or 3 (replaces board/rule).
// Its replicators copy themselves across the board.

export function rule(alive: bool, neighbours: i32): bool {
  return alive ? neighbours == 2 || neighbours == 3 : neighbours == 3 || neighbours == 6;
}
