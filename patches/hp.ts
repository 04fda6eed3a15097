// The hotgo example patch: NewFunc1 replaces main.func1; Global is a ref to main.globalValue
// (the same global, so writes are shared) and Func2Ref a ref to main.func2. Build it with
// `npm run build`; it is a plain patch, so it does not allocate.

@external("ref", "Global")
declare let Global: i32;

@external("ref", "Func2Ref")
declare function Func2Ref(): void;

@external("env", "println")
declare function println(label: string, value: i32): void;

@external("env", "print")
declare function print(message: string): void;

export function NewFunc1(): void {
  println("New Func: ", Global);
  Global += 15;
  Func2Ref();
}

export function HPBeforeLoad(): i32 {
  print("HPBeforeLoad called");
  return 0;
}

export function HPAfterLoad(): i32 {
  print("HPAfterLoad called");
  return 0;
}

export function HPBeforeUnload(): i32 {
  print("HPBeforeUnload called");
  return 0;
}

export function HPAfterUnload(): i32 {
  print("HPAfterUnload called");
  return 0;
}
