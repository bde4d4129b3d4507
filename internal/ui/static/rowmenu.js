// rowmenu.js: a small menu on each message of the board ("⋯"), for the
// actions that must cost no room on the row (the moderators' remove, and
// whatever other modules add: permalinks, …).
//
// The button is laid over the row's right end (position: absolute), shown
// when the row is hovered or holds the focus, so rows are exactly as dense
// for staff as for everybody. Other modules join with
//
//   window.tribune.rowMenu.add({ key, label, show(li), run(li) })
//
// label is a string or a function of li; show (optional) tells whether the
// action applies to that row. Modules run in their order on the page, after
// board.js: window.tribune.board is the board.

const tribune = (window.tribune = window.tribune || {});
const board = tribune.board;

const actions = [];
let panel = null; // the open menu: {box, button, li}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const t = (key) => (board ? board.t(key) : key);

function applicable(li) {
  return actions.filter((a) => !a.show || a.show(li));
}

// attach gives a row its button, when some action applies to it.
function attach(li) {
  if (!li || !li.matches("li.message") || li.querySelector(":scope > button.row-menu")) return;
  if (!applicable(li).length) return;
  const b = el("button", "row-menu", "⋯");
  b.type = "button";
  b.title = t("board.row_menu");
  b.setAttribute("aria-label", t("board.row_menu"));
  b.setAttribute("aria-haspopup", "menu");
  b.setAttribute("aria-expanded", "false");
  li.append(b);
}

function attachAll() {
  const list = document.getElementById("messages");
  if (list) for (const li of list.querySelectorAll("li.message")) attach(li);
}

function close(refocus) {
  if (!panel) return;
  const { box, button } = panel;
  panel = null;
  box.remove();
  button.setAttribute("aria-expanded", "false");
  button.closest("li")?.classList.remove("menu-open");
  if (refocus && button.isConnected) button.focus();
}

function open(button) {
  close(false);
  const li = button.closest("li.message");
  const items = applicable(li);
  if (!items.length) return;
  const box = el("div", "row-menu-panel");
  box.setAttribute("role", "menu");
  for (const a of items) {
    const label = typeof a.label === "function" ? a.label(li) : a.label;
    const item = el("button", "row-menu-item", label);
    item.type = "button";
    item.setAttribute("role", "menuitem");
    item.dataset.action = a.key;
    item.addEventListener("click", () => {
      close(true);
      a.run(li);
    });
    box.append(item);
  }
  box.addEventListener("keydown", (e) => {
    const all = [...box.querySelectorAll("button")];
    const i = all.indexOf(document.activeElement);
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close(true);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = all.length;
      all[(i + (e.key === "ArrowDown" ? 1 : n - 1)) % n].focus();
    } else if (e.key === "Tab") {
      close(false);
    }
  });
  document.body.append(box);
  panel = { box, button, li };
  button.setAttribute("aria-expanded", "true");
  li.classList.add("menu-open");
  if (board) board.place(box, button, null);
  box.querySelector("button").focus();
}

tribune.rowMenu = {
  // add registers an action; rows get their button when it applies.
  add(action) {
    if (!action || !action.key || typeof action.run !== "function") return;
    if (actions.some((a) => a.key === action.key)) return;
    actions.push(action);
    attachAll();
  },
  close,
};

const section = document.getElementById("board");
if (section && board) {
  section.addEventListener("tribune:row", (e) => attach(e.detail));
  section.addEventListener("click", (e) => {
    const b = e.target.closest("button.row-menu");
    if (!b) return;
    if (panel && panel.button === b) close(true);
    else open(b);
  });
  document.addEventListener("click", (e) => {
    if (panel && !panel.box.contains(e.target) && !panel.button.contains(e.target)) close(false);
  });
  window.addEventListener("scroll", () => close(false), { passive: true });

  // The moderators' action: take a message down for everybody.
  if (board.cfg.removeURL) {
    tribune.rowMenu.add({
      key: "remove",
      label: t("board.remove_title"),
      show: (li) => !!li.dataset.id && !li.classList.contains("pending"),
      run: (li) => board.removeMessage(li),
    });
  }
}
