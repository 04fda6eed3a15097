// The dev loop's banner under the board: connected, building, patched (and how fast), or the
// problem with the edit, with a button for a full reload; a page reloads when the base changes.

import { DEV_PATHS, describeDevStatus, describeProblem, type DevStatus } from "hotwasm";

/** Shows `status`; the button asks the dev server for a rebuilt base (every page then reloads). */
export function showDevStatus(status: DevStatus): void {
  const box = document.getElementById("dev")!;
  const line = document.getElementById("dev-status")!;
  const problem = document.getElementById("dev-problem")!;
  const text = document.getElementById("dev-problem-text")!;
  box.dataset.state = status.type;
  if (status.type === "reload") {
    line.textContent = `${describeDevStatus(status)}; reloading…`;
    location.reload();
    return;
  }
  if (status.type === "problem" || status.type === "failed") {
    line.textContent = status.type === "problem"
      ? `save #${status.problem.seq} was not patched in; the program runs on with the code it had`
      : describeDevStatus(status);
    text.textContent = status.type === "problem" ? describeProblem(status.problem) : "";
    problem.hidden = false;
    return;
  }
  if (status.type === "building" && !problem.hidden) {
    line.textContent = describeDevStatus(status); // keep the problem shown until the fix is in
    return;
  }
  problem.hidden = true;
  line.textContent = status.type === "applied" ? `${describeDevStatus(status)} (built in ${(status.patch.build_ms / 1000).toFixed(1)} s)` : describeDevStatus(status);
}

/** Shows a failure of the page's own (a step that trapped), with no reload offered. */
export function showPageError(message: string): void {
  document.getElementById("dev")!.dataset.state = "failed";
  document.getElementById("dev-status")!.textContent = message;
}

/** Wires the reload button. */
export function wireReloadButton(): void {
  const button = document.getElementById("dev-reload") as HTMLButtonElement;
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = "rebuilding…";
    try {
      const res = await fetch(DEV_PATHS.reload, { method: "POST" });
      const body = (await res.json()) as { ok?: boolean };
      if (!body.ok) button.textContent = "the rebuild failed (see above); fix it and try again";
    } finally {
      button.disabled = false;
    }
  });
}
