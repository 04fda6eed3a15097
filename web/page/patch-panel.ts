// The side panel: the example patches with load and unload buttons, the patch stack (newest on
// top) and the patchable functions, marking those a patch replaces now.

import { DEV_PATHS, shortName, type Host } from "hotwasm";

/** One example patch as the dev server lists it. */
interface Example {
  name: string;
  description: string;
  replaces: Record<string, string>;
  url: string | null;
  problem: { message: string } | null;
}

/** The panel; `labels` names loaded patches (hp_id -> label) for the stack. */
export interface PatchPanel {
  refresh(): void;
}

/** Fills the panel's lists and keeps them current as patches come and go. */
export async function createPatchPanel(host: Host, labels: Map<string, string>): Promise<PatchPanel> {
  const examples = byId("examples");
  const stack = byId("stack");
  const functions = byId("functions");
  const loaded = new Map<string, string>(); // example name -> hp_id
  const refresh = () => {
    const info = host.getHPInfo().filter((p) => p.state === "loaded");
    stack.replaceChildren(...info.slice().reverse().map((p) => {
      const li = el("li", { className: labels.get(p.hp_id)?.startsWith("dev") ? "from-dev" : "" }, `${labels.get(p.hp_id) ?? "patch"} `);
      li.dataset.hpId = p.hp_id;
      const targets = el("span", { className: "targets" }, "→ ");
      p.replaces.forEach((r, i) => targets.append(i ? ", " : "", el("span", { className: r.in_force ? "" : "shadowed" }, shortName(r.symbol))));
      li.append(targets);
      return li;
    }));
    for (const [name, id] of loaded) if (!info.some((p) => p.hp_id === id)) loaded.delete(name);
    for (const button of Array.from(examples.querySelectorAll<HTMLButtonElement>("button[data-example]"))) {
      const isLoaded = loaded.has(button.dataset.example!);
      button.textContent = isLoaded ? "Unload" : "Load";
      button.className = isLoaded ? "unload" : "";
    }
    const patchable = host.manifest.functions.filter((f) => f.slot !== null && !f.name.startsWith("~"));
    patchable.sort((a, b) => shortName(a.name).localeCompare(shortName(b.name)));
    functions.replaceChildren(...patchable.map((f) => {
      const top = host.patchStack(f.name).at(-1);
      const li = el("li", { className: top ? "patched" : "", title: top ? `replaced by ${labels.get(top) ?? top}` : "the base's own code" }, shortName(f.name));
      li.dataset.symbol = f.name;
      return li;
    }));
  };
  const toggle = async (example: Example, button: HTMLButtonElement, note: HTMLElement) => {
    button.disabled = true;
    note.textContent = "";
    try {
      const id = loaded.get(example.name);
      if (id) {
        await host.unloadHP(id);
      } else {
        const bytes = new Uint8Array(await (await fetch(example.url!)).arrayBuffer());
        const hpId = await host.loadHP({ hp_bytes: bytes });
        loaded.set(example.name, hpId);
        labels.set(hpId, example.name);
      }
    } catch (err) {
      note.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      button.disabled = false;
      refresh();
    }
  };
  const list = (await (await fetch(DEV_PATHS.examples)).json()) as Example[];
  examples.replaceChildren(...list.map((example) => {
    const note = el("div", { className: "error" }, example.problem?.message ?? "");
    const what = el("div", { className: "what" }, el("div", { className: "name" }, example.name), el("div", { className: "desc" }, example.description), note);
    const button = el("button", { type: "button", disabled: example.url === null }, "Load");
    button.dataset.example = example.name;
    button.addEventListener("click", () => void toggle(example, button, note));
    return el("li", {}, what, button);
  }));
  if (list.length === 0) examples.replaceChildren(el("li", { className: "muted" }, "no patches/*.ts in this project"));
  host.on((e) => { if (e.type === "loaded" || e.type === "unloaded" || e.type === "released") refresh(); });
  refresh();
  return { refresh };
}

function byId(id: string): HTMLElement {
  return document.getElementById(id)!;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]>, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}
