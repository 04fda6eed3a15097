// How the board is drawn: one RGBA pixel per cell, from its heat, into a buffer the page copies
// to its canvas.

import { WIDTH, HEIGHT, heatAt } from "./board";

const pixels = new StaticArray<u32>(WIDTH * HEIGHT);

/** Packs r, g, b into a pixel (bytes r, g, b, a in memory). */
export function rgb(r: i32, g: i32, b: i32): u32 {
  return 0xff000000 | (<u32>b << 16) | (<u32>g << 8) | <u32>r;
}

/** Blends from colour a to colour b, t from 0 to 255. */
export function blend(a: u32, b: u32, t: i32): u32 {
  const r = ((a & 0xff) * (255 - t) + (b & 0xff) * t) / 255;
  const g = (((a >> 8) & 0xff) * (255 - t) + ((b >> 8) & 0xff) * t) / 255;
  const bl = (((a >> 16) & 0xff) * (255 - t) + ((b >> 16) & 0xff) * t) / 255;
  return rgb(r, g, bl);
}

/** The colour of a cell with heat h: amber while alive, an ember trail that fades to the night. */
export function cellColor(h: i32): u32 {
  const night = rgb(14, 17, 32);
  if (h == 255) return rgb(255, 200, 87);
  if (h == 0) return night;
  return blend(night, rgb(200, 64, 48), h);
}

/** Draws the board into the pixel buffer; returns its address. */
export function render(): usize {
  for (let i = 0; i < WIDTH * HEIGHT; i++) unchecked(pixels[i] = cellColor(heatAt(i)));
  return changetype<usize>(pixels);
}
