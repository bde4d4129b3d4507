// format.js: formatting buttons above the message input: bold, italic,
// underline, strike, tt, code and the moment tag. Each wraps the selection
// (board.js's Alt shortcuts do the same, and the buttons' titles name
// them); the focus and the selection stay in the input, on a phone too.

const tribune = (typeof window !== "undefined" && window.tribune) || {};
const board = tribune.board;

// The buttons: tag, label, string key, Alt key.
const BUTTONS = [
  ["b", "B", "board.format_b", "B"],
  ["i", "I", "board.format_i", "I"],
  ["u", "U", "board.format_u", "U"],
  ["s", "S", "board.format_s", "S"],
  ["tt", "tt", "board.format_tt", "T"],
  ["code", "code", "board.format_code", "C"],
  ["m", "♪", "board.format_m", "M"],
];

if (board && board.form && board.input) {
  const bar = document.createElement("div");
  bar.className = "format-bar";
  bar.id = "format-bar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", board.t("board.format"));
  bar.setAttribute("aria-controls", board.input.id);
  for (const [tag, label, key, alt] of BUTTONS) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "format format-" + tag;
    b.dataset.tag = tag;
    b.textContent = label;
    const name = board.t(key);
    b.title = `${name} (Alt+${alt})`;
    b.setAttribute("aria-label", name);
    b.setAttribute("aria-keyshortcuts", "Alt+" + alt);
    // Pressing a button must not take the focus (and the selection) from
    // the input.
    b.addEventListener("mousedown", (e) => e.preventDefault());
    b.addEventListener("click", () => board.wrap(tag));
    bar.append(b);
  }
  const row = board.form.querySelector(".post-row");
  board.form.insertBefore(bar, row);
}
