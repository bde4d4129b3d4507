// totoz.js: totoz as olcc and LinuxFr users know them, beside board.js's
// hover bubble: an option to show them inline in the list, and a palette
// that opens when "[:" is typed in the message and suggests names: those
// the totoz server's search finds, when the site has one, else the totoz
// used lately on this tribune (those on the board, then those the viewer
// sent). Images come only from the configured totoz server; with
// none configured, nothing here loads an image.

const tribune = (typeof window !== "undefined" && window.tribune) || {};
const board = tribune.board;
const INLINE_KEY = "tribune.totozInline";
const SENT_KEY = "tribune.totozSent";

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function stored(key, fallback) {
  try {
    const v = window.localStorage.getItem(key);
    return v === null ? fallback : JSON.parse(v);
  } catch {
    return fallback;
  }
}

function store(key, v) {
  try {
    window.localStorage.setItem(key, JSON.stringify(v));
  } catch {
    // Private mode: the choice lasts the page.
  }
}

/** totozQuery reads the totoz name being typed before the caret: "[:na" → "na", null when none. */
export function totozQuery(text, caret) {
  const m = /\[:([^\]\s[]{0,40})$/.exec(String(text).slice(0, caret));
  return m ? m[1] : null;
}

/** searchable tells whether the server's search takes q: the characters of a totoz name, 1 to 40. */
export function searchable(q) {
  return /^[A-Za-z0-9 _@:-]{1,40}$/.test(String(q));
}

if (board && board.cfg.totozURL !== undefined && board.list) {
  const src = (name) => (board.cfg.totozURL ? board.cfg.totozURL.replace(/\{name\}|\{0\}/g, encodeURIComponent(name)) : "");
  const nameOf = (a) => (/^\[:(.+)\]$/.exec(a.textContent.trim()) || [])[1] || "";

  // ---------------------------------------------------------------------
  // Inline

  let inline = !!board.cfg.totozURL && stored(INLINE_KEY, false) === true;

  function showInline(li) {
    for (const a of li.querySelectorAll("a.smiley")) {
      const img = a.querySelector("img.totoz-inline");
      if (!inline) {
        if (img) img.remove();
        a.classList.remove("inline");
        continue;
      }
      if (img) continue;
      const name = nameOf(a);
      if (!name) continue;
      const i = el("img", "totoz-inline");
      i.alt = `[:${name}]`;
      i.loading = "lazy";
      i.decoding = "async";
      i.src = src(name);
      i.addEventListener("error", () => {
        i.remove();
        a.classList.remove("inline");
      });
      a.classList.add("inline");
      a.prepend(i);
    }
  }

  if (board.cfg.totozURL && board.tools) {
    const button = el("button", "tool", board.t("board.totoz_inline"));
    button.type = "button";
    button.id = "totoz-inline";
    button.setAttribute("aria-pressed", String(inline));
    button.addEventListener("click", () => {
      inline = !inline;
      button.setAttribute("aria-pressed", String(inline));
      store(INLINE_KEY, inline);
      for (const li of board.list.querySelectorAll("li.message")) showInline(li);
    });
    board.tools.append(button);
  }
  for (const li of board.list.querySelectorAll("li.message")) showInline(li);
  board.section.addEventListener("tribune:row", (e) => showInline(e.detail));

  // ---------------------------------------------------------------------
  // The palette

  const input = board.input;
  const box = el("div", "totoz-palette");
  box.id = "totoz-palette";
  box.hidden = true;
  const hint = el("p", "totoz-hint", board.t("board.totoz_recent"));
  hint.id = "totoz-hint";
  const listbox = el("ul", "totoz-options");
  listbox.id = "totoz-options";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", board.t("board.totoz_palette"));
  box.append(hint, listbox);
  board.form.append(box);
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  let options = [];
  let active = -1;

  // recent lists the totoz of the board, newest first, then those sent.
  function recent() {
    const names = [];
    const seen = new Set();
    const smileys = [...board.list.querySelectorAll("li.message a.smiley")].reverse();
    for (const n of [...smileys.map(nameOf), ...stored(SENT_KEY, [])]) {
      const k = String(n).toLowerCase();
      if (n && !seen.has(k)) {
        seen.add(k);
        names.push(n);
      }
    }
    return names;
  }

  function close() {
    search(""); // a late answer must not open it again
    if (box.hidden) return;
    box.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(i) {
    active = i;
    options.forEach((o, j) => o.setAttribute("aria-selected", String(j === i)));
    if (i >= 0 && options[i]) {
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  // The totoz server's search, through the tribune (the page may load
  // the server's images, not ask it anything): asked once the typing
  // pauses, the previous question abandoned.
  let asking = null;
  let pause = 0;
  function search(query) {
    clearTimeout(pause);
    if (asking) asking.abort();
    asking = null;
    if (!board.cfg.totozSearchURL || !searchable(query)) return;
    pause = setTimeout(async () => {
      const ctl = (asking = new AbortController());
      try {
        const res = await fetch(`${board.cfg.totozSearchURL}?q=${encodeURIComponent(query)}`, {
          signal: ctl.signal,
          headers: { Accept: "application/json" },
        });
        const names = res.ok ? await res.json() : [];
        const caret = input.selectionStart ?? input.value.length;
        // Still the question of the name being typed.
        if (asking === ctl && totozQuery(input.value, caret) === query && Array.isArray(names) && names.length)
          show(names.filter((n) => typeof n === "string").slice(0, 12), true);
      } catch {
        // Offline or abandoned: the recent totoz stay.
      }
    }, 200);
  }

  function open(query) {
    const q = query.toLowerCase();
    const names = recent()
      .filter((n) => n.toLowerCase().includes(q))
      .sort((a, b) => a.toLowerCase().startsWith(q) === b.toLowerCase().startsWith(q) ? 0 : a.toLowerCase().startsWith(q) ? -1 : 1)
      .slice(0, 12);
    show(names, false);
    search(query);
  }

  // show lists names, found by the server's search or used recently.
  function show(names, found) {
    if (!names.length) {
      close();
      return;
    }
    hint.textContent = board.t(found ? "board.totoz_found" : "board.totoz_recent");
    box.classList.toggle("found", found);
    listbox.replaceChildren();
    options = names.map((name, i) => {
      const li = el("li", "totoz-option");
      li.id = "totoz-option-" + i;
      li.setAttribute("role", "option");
      li.dataset.name = name;
      if (board.cfg.totozURL) {
        const img = el("img");
        img.alt = "";
        img.loading = "lazy";
        img.src = src(name);
        img.addEventListener("error", () => img.remove());
        li.append(img);
      }
      li.append(el("span", "", `[:${name}]`));
      li.addEventListener("mousedown", (e) => {
        e.preventDefault(); // keep the focus in the input
        choose(name);
      });
      return li;
    });
    listbox.append(...options);
    box.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(0);
  }

  // choose replaces the "[:query" typed with the whole totoz.
  function choose(name) {
    const caret = input.selectionStart ?? input.value.length;
    const q = totozQuery(input.value, caret);
    if (q === null) return close();
    const start = caret - q.length - 2;
    input.setSelectionRange(start, caret);
    board.insertText(`[:${name}] `, false);
    close();
  }

  input.addEventListener("input", () => {
    const q = totozQuery(input.value, input.selectionStart ?? input.value.length);
    if (q === null) close();
    else open(q);
  });
  input.addEventListener("keydown", (e) => {
    if (box.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = options.length;
      setActive((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
    } else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) {
      e.preventDefault();
      e.stopImmediatePropagation();
      choose(options[active].dataset.name);
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  });
  // Closed when the focus goes elsewhere in the page (not when the window
  // loses it).
  input.addEventListener("blur", () =>
    setTimeout(() => {
      if (document.activeElement !== input) close();
    }, 150),
  );
  // Remember what the viewer sends, for the palette.
  board.form.addEventListener("submit", () => {
    const sent = [...input.value.matchAll(/\[:([^\]\s[]{1,40})\]/g)].map((m) => m[1]);
    if (sent.length) store(SENT_KEY, [...new Set([...sent, ...stored(SENT_KEY, [])])].slice(0, 50));
  });
}
