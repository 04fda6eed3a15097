// The hotgo example, in AssemblyScript: a global, func1 printing it (the host calls it every
// second; Wasm has no timer of its own), and func2.

@external("env", "println")
declare function println(label: string, value: i32): void;

let globalValue: i32 = 100;

export function func1(): void {
  println("func1: ", globalValue);
}

export function func2(): void {
  println("func2: ", globalValue);
}

/** The value func1 prints, for the host to show. */
export function getGlobalValue(): i32 {
  return globalValue;
}

/** A line about the program's state (patches/status.ts shows a patch that allocates). */
export function status(): string {
  return "globalValue=" + globalValue.toString();
}
