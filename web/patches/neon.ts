// Neon: live cells glow cyan and their trails fade through violet (replaces palette/cellColor).
//   npx hotwasm patch patches/neon.ts --base build/life.wasm

import { rgb, blend } from "../assembly/palette";

export function cellColor(h: i32): u32 {
  const night = rgb(9, 8, 30);
  if (h == 255) return rgb(61, 245, 255);
  if (h == 0) return night;
  return blend(night, rgb(186, 64, 255), h);
}
