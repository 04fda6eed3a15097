// Reserves the patch arena: static space for patches' data, below the shadow stack. Raises
// __data_end, the initial __stack_pointer and __heap_base together by the arena size, so the
// collector neither scans the arena as stack roots nor hands it out as heap (DESIGN.md §3), and
// grows the initial memory to cover the new heap base. The minimal and stub runtimes have no
// shadow stack (no __data_end or __stack_pointer): there the arena is the space between the static
// data and the raised __heap_base, below which their allocators never hand out memory and their
// collectors never free. A build that cannot have an arena is refused with E_NO_ARENA.

import { HotwasmError } from "../../host/errors.js";
import { dataSegments, RewriteError, type Binaryen, type BinaryenModule } from "../common/binaryen-util.js";

/** The reserved range [start, start + size). */
export interface Arena {
  start: number;
  size: number;
}

const DATA_END = "~lib/memory/__data_end";
const STACK_POINTER = "~lib/memory/__stack_pointer";
const HEAP_BASE = "~lib/memory/__heap_base";
const PAGE = 65536;

/** Reserves `size` bytes (rounded up to 16) after the static data; size 0 reserves nothing. */
export function reserveArena(b: Binaryen, module: BinaryenModule, size: number, lowMemoryLimit = 0): Arena {
  const bytes = Math.ceil(size / 16) * 16;
  const heapBase = constantOf(b, module, HEAP_BASE);
  if (heapBase === null) {
    if (bytes === 0) return { start: 0, size: 0 };
    throw new HotwasmError("E_NO_ARENA", `this build has no __heap_base (a custom --runtime?), so it cannot reserve a patch arena of ${bytes} bytes; build with --arena 0 to go without one (patches then cannot bring static data)`);
  }
  // With a shadow stack the arena goes below it (at __data_end); without one, at the old heap base.
  const dataEnd = constantOf(b, module, DATA_END);
  const start = Math.ceil((dataEnd ?? heapBase) / 16) * 16;
  if (bytes === 0) return { start, size: 0 };
  const raise = start - (dataEnd ?? heapBase) + bytes;
  if (lowMemoryLimit > 0 && heapBase + raise > lowMemoryLimit) {
    throw new HotwasmError("E_NO_ARENA", `--lowMemoryLimit ${lowMemoryLimit} leaves no room for a patch arena of ${bytes} bytes above the static data (which ends at ${heapBase}); pass a smaller --arena, or --arena 0`);
  }
  for (const name of [DATA_END, STACK_POINTER, HEAP_BASE]) {
    const value = constantOf(b, module, name);
    if (value !== null) replaceInit(b, module, name, value + raise);
  }
  growInitialMemory(module, heapBase + raise);
  return { start, size: bytes };
}

function constantOf(b: Binaryen, module: BinaryenModule, name: string): number | null {
  const ref = module.getGlobal(name);
  if (!ref) return null;
  const info = b.getGlobalInfo(ref);
  if (info.module) return null;
  const init = b.getExpressionInfo(info.init) as { id: number; value?: number };
  if (init.id !== b.ConstId || typeof init.value !== "number") {
    throw new RewriteError(`${name} has no constant initialiser; cannot reserve a patch arena`);
  }
  return init.value;
}

function replaceInit(b: Binaryen, module: BinaryenModule, name: string, value: number): void {
  const info = b.getGlobalInfo(module.getGlobal(name));
  module.removeGlobal(name);
  module.addGlobal(name, info.type, info.mutable, module.i32.const(value));
}

function growInitialMemory(module: BinaryenModule, heapBase: number): void {
  if (!module.hasMemory()) return;
  const info = module.getMemoryInfo();
  if (info.module) return; // an imported memory is sized by whoever provides it
  const pages = Math.ceil(heapBase / PAGE);
  if (pages <= info.initial) return;
  if (info.max !== undefined && pages > info.max) {
    throw new HotwasmError("E_NO_ARENA", `the patch arena needs ${pages} pages of memory but --maximumMemory is ${info.max}; raise it, or pass a smaller --arena`);
  }
  const segments = dataSegments(module).map((s) => ({
    name: s.name,
    data: new Uint8Array(s.data),
    passive: s.passive,
    offset: s.passive ? 0 : module.i32.const(s.offset ?? 0),
  }));
  module.setMemory(pages, info.max ?? -1, null, segments, info.shared, info.is64, "0");
}
