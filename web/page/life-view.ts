// Runs the Game of Life: steps the program on a timer, copies its pixels to the canvas and shows
// the step counter, the population and the rule (worked out by calling the program's rule()).

import type { Host } from "hotwasm";

/** The page's elements the view writes to. */
export interface LifeElements {
  canvas: HTMLCanvasElement;
  steps: HTMLElement;
  population: HTMLElement;
  rule: HTMLElement;
  /** Told when a step traps (a patch gone wrong), with the error. */
  onTrap: (err: unknown) => void;
}

/** A running view. */
export interface LifeView {
  stop(): void;
}

const KNOWN_RULES: Record<string, string> = { "B3/S23": "Conway's Life", "B36/S23": "HighLife", "B3678/S34678": "Day & Night" };

/** Steps every `stepMs` and draws after each step. */
export function startLife(host: Host, el: LifeElements, stepMs = 50): LifeView {
  const x = host.exports;
  const memory = host.instance.exports[host.manifest.memory.export] as WebAssembly.Memory;
  const width = x.width() as number;
  const height = x.height() as number;
  el.canvas.width = width;
  el.canvas.height = height;
  const ctx = el.canvas.getContext("2d")!;
  const image = ctx.createImageData(width, height);
  let trapped = false;
  const draw = () => {
    const ptr = (x.render() as number) >>> 0;
    image.data.set(new Uint8ClampedArray(memory.buffer, ptr, width * height * 4));
    ctx.putImageData(image, 0, 0);
    el.steps.textContent = (x.steps() as number).toLocaleString("en");
    el.population.textContent = (x.population() as number).toLocaleString("en");
    const rule = describeRule(x.rule as (alive: number, n: number) => number);
    if (el.rule.textContent !== rule) el.rule.textContent = rule;
  };
  const tick = () => {
    try {
      x.step();
      draw();
      trapped = false;
    } catch (err) {
      if (!trapped) el.onTrap(err); // once per run of traps, not every tick
      trapped = true;
    }
  };
  draw();
  const timer = setInterval(tick, stepMs);
  return { stop: () => clearInterval(timer) };
}

/** The rule in B/S notation, by asking the program which neighbour counts give birth and survival. */
export function describeRule(rule: (alive: number, n: number) => number): string {
  const counts = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const text = `B${counts.filter((n) => rule(0, n)).join("")}/S${counts.filter((n) => rule(1, n)).join("")}`;
  return KNOWN_RULES[text] ? `${text} · ${KNOWN_RULES[text]}` : text;
}
