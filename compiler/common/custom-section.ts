// Appends a custom section to a binary; the implementation lives in the host (signing needs it too).

export { appendCustomSection } from "../../host/wasm/wasm-sections.js";
