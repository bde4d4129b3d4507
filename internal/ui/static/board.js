// board.js: the live web board of the tribune.
//
// The page works without this script (the server renders the list and the
// form posts and redirects back). This module makes it live: server-sent
// events (or polling) for new messages, posting without reloading, norloge
// highlighting and previews, marks for the viewer's messages, answers and
// hails, totoz popups, the BaK filters panel, the theme switch and the
// formatting shortcuts.
//
// One plain ES module, no library: static files are served under
// fingerprinted names, so it cannot import siblings. The pure functions at
// the top are exported for tests: internal/ui/board_test.mjs, run with
// `node --test internal/ui/` (node can import this file: the DOM part only
// runs in a browser).

// ---------------------------------------------------------------------------
// Pure functions

// The superscript digits of the board's clock indices, 0–9.
const SUPER_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/** superscript renders n with superscript digits, as the server does: 2 → "²", 10 → "¹⁰". */
export function superscript(n) {
  return String(n).replace(/[0-9]/g, (d) => SUPER_DIGITS[+d]);
}

/** fromSuperscript reads superscript digits back as a number (NaN when it cannot). */
export function fromSuperscript(s) {
  let out = "";
  for (const ch of s) {
    const i = SUPER_DIGITS.indexOf(ch);
    if (i < 0) return NaN;
    out += i;
  }
  return out === "" ? NaN : Number(out);
}

// The norloge forms the server recognises (docs/message-language.md):
//   [date] HH:MM[:SS[index]][@bouchot], HHMMSS[index][@bouchot]
// date: YYYY/MM/DD#, YYYY-MM-DDT, YYYY-MM-DD (space), MM/DD#
// index: superscripts (1 or 2), ^N or :N (N = 1–99)
const NORLOGE_RE = new RegExp(
  "^(?:(?:(\\d{4})[/-])?(\\d{2})[/-](\\d{2})[#T \\u00a0])?" + // date
    "([01]\\d|2[0-3])(?::([0-5]\\d)(?::([0-5]\\d))?|([0-5]\\d)([0-5]\\d))" + // time
    "([\\u2070\\u00b9\\u00b2\\u00b3\\u2074-\\u2079]{1,2}|[\\^:][1-9]\\d?)?" + // index
    "(?:@(\\w+))?$", // bouchot
);

/**
 * parseNorloge reads the text of a norloge as typed. It returns
 * {year, month, day, hour, minute, second, index, bouchot}: year, month and
 * day are 0 when absent, second is null for the HH:MM form, index is 0 when
 * absent (and always 0 without seconds), bouchot is "" when absent. It
 * returns null for a text that is not a norloge.
 */
export function parseNorloge(text) {
  const m = NORLOGE_RE.exec(String(text).trim());
  if (!m) return null;
  const p = {
    year: m[1] ? +m[1] : 0,
    month: m[2] ? +m[2] : 0,
    day: m[3] ? +m[3] : 0,
    hour: +m[4],
    minute: m[5] !== undefined ? +m[5] : +m[7],
    second: m[5] !== undefined ? (m[6] !== undefined ? +m[6] : null) : +m[8],
    index: 0,
    bouchot: m[10] || "",
  };
  if (p.month && (p.month > 12 || p.day < 1 || p.day > 31)) return null;
  // "12:34:5" is not HH:MM with the index :5.
  if (m[9] && p.second === null && m[9][0] === ":") return null;
  if (m[9] && p.second !== null) {
    const idx = /^[\^:]/.test(m[9]) ? +m[9].slice(1) : fromSuperscript(m[9]);
    if (idx > 0) p.index = idx;
  }
  return p;
}

const pad2 = (n) => String(n).padStart(2, "0");

/**
 * norlogeMatches tells whether a parsed norloge points at a message created
 * at `created` (YYYYMMDDhhmmss, tribune time) with clock index `index`.
 * HH:MM matches the whole minute, HH:MM:SS the whole second unless an index
 * is given; a date restricts to that day (MM/DD: any year).
 */
export function norlogeMatches(p, created, index) {
  if (!p || typeof created !== "string" || created.length < 14) return false;
  if (p.month) {
    if (created.slice(4, 8) !== pad2(p.month) + pad2(p.day)) return false;
    if (p.year && created.slice(0, 4) !== String(p.year).padStart(4, "0")) return false;
  }
  if (+created.slice(8, 10) !== p.hour || +created.slice(10, 12) !== p.minute) return false;
  if (p.second === null) return true;
  if (+created.slice(12, 14) !== p.second) return false;
  return !p.index || +index === p.index;
}

/**
 * resolveNorloge picks, among candidates [{id, created, index}], the
 * messages a norloge written in message `ownerID` points to. A norloge looks
 * into the past first: among the matches older than the message holding it,
 * the most recent day's; when there are none, the most recent day's of all
 * matches. ownerID 0 (unknown) means no message is "after" it.
 */
export function resolveNorloge(p, candidates, ownerID) {
  if (!p || p.bouchot) return [];
  const all = candidates.filter((c) => norlogeMatches(p, c.created, c.index));
  if (all.length < 2) return all;
  let pool = ownerID ? all.filter((c) => c.id < ownerID) : all;
  if (!pool.length) pool = all;
  let day = "";
  for (const c of pool) if (c.created.slice(0, 8) > day) day = c.created.slice(0, 8);
  return pool.filter((c) => c.created.slice(0, 8) === day);
}

/** clockReference is what clicking a clock inserts: HH:MM:SS, with its index when the second is shared. */
export function clockReference(clock, index, shared) {
  return index > 1 || shared ? clock + superscript(index || 1) : clock;
}

/**
 * indexMarks gives the superscript shown after each clock of a list of
 * messages [{created, index}], as the server renders the board: the index
 * when it is above 1, and ¹ on a first message when another message of the
 * list shares its second, or when the server said another message of the
 * channel does (m.shared: one the viewer hides); "" otherwise. It is what
 * clicking the clock adds.
 */
export function indexMarks(list) {
  const count = new Map();
  for (const m of list) count.set(m.created, (count.get(m.created) || 0) + 1);
  return list.map((m) => {
    const index = +m.index || 1;
    return index > 1 || m.shared || count.get(m.created) > 1 ? superscript(index) : "";
  });
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * hails tells whether text calls the viewer: "moules<" (everybody) or
 * "NAME<" for one of names, case-insensitive, not glued to a preceding
 * letter or digit ("superman<" does not call "man").
 */
export function hails(text, names) {
  const t = String(text).toLowerCase();
  for (const name of ["moules", ...names]) {
    if (!name) continue;
    const needle = String(name).trim().toLowerCase() + "<";
    if (needle === "<") continue;
    for (let i = t.indexOf(needle); i >= 0; i = t.indexOf(needle, i + 1)) {
      if (i === 0 || !WORD_CHAR.test(t[i - 1])) return true;
    }
  }
  return false;
}

/** format replaces each %d or %s of s with the next argument. */
export function format(s, ...args) {
  let i = 0;
  return String(s).replace(/%[ds]/g, (m) => (i < args.length ? String(args[i++]) : m));
}

/** cut keeps the first n characters (code points) of s, as the server cuts identities. */
export function cut(s, n) {
  const chars = Array.from(String(s));
  return chars.length > n ? chars.slice(0, n).join("") : String(s);
}

/**
 * wrapSelection wraps value[start:end] in <tag>…</tag>. It returns the
 * inserted text and where the caret goes: between the tags when nothing was
 * selected, after the closing tag otherwise.
 */
export function wrapSelection(value, start, end, tag) {
  const sel = value.slice(start, end);
  const text = `<${tag}>${sel}</${tag}>`;
  const caret = sel ? start + text.length : start + tag.length + 2;
  return { text, caret };
}

/** nameCommand reads a /name or /nick command: the new name, "" to forget it, or null when text is not one. */
export function nameCommand(text) {
  const m = /^\/(?:name|nick)(?:\s+([^]*))?$/.exec(String(text).replace(/\s+$/, ""));
  if (!m) return null;
  const name = (m[1] || "").trim();
  return Array.from(name).length < 3 ? "" : name;
}

// Filter kinds, in the server's notation, with their string keys.
const KINDS = [
  ["|=", "board.kind_icontains"],
  ["*=", "board.kind_contains"],
  ["~=", "board.kind_iexact"],
  ["==", "board.kind_exact"],
  ["^=", "board.kind_startswith"],
  ["$=", "board.kind_endswith"],
];
const TARGETS = [
  ["ua", "board.filter_ua"],
  ["author", "board.filter_author"],
  ["message", "board.filter_message"],
];
const THEMES = ["", "light", "dark"];
const THEME_KEYS = { "": "board.theme_name_auto", light: "board.theme_name_light", dark: "board.theme_name_dark" };

// ---------------------------------------------------------------------------
// The board

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

class Board {
  constructor(section) {
    this.section = section;
    let cfg = {};
    try {
      cfg = JSON.parse(section.dataset.config || "{}");
    } catch {
      cfg = {};
    }
    this.cfg = cfg;
    this.strings = cfg.strings || {};
    this.lang = (document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    this.limit = cfg.limit > 0 ? cfg.limit : 50;
    this.refreshSecs = cfg.refreshSecs >= 2 ? cfg.refreshSecs : 10;
    this.login = cfg.login || "";
    this.name = cfg.name || "";

    this.list = document.getElementById("messages");
    this.form = document.getElementById("post-form");
    this.input = document.getElementById("content");
    this.postError = document.getElementById("post-error");
    this.postNotice = document.getElementById("post-notice");
    this.preview = document.getElementById("preview");
    this.tools = document.getElementById("board-tools");
    this.refreshBox = document.getElementById("refresh-toggle");
    this.liveState = document.getElementById("live-state");
    this.themeButton = document.getElementById("theme-toggle");
    this.filtersButton = document.getElementById("filters-toggle");
    this.panel = document.getElementById("filters-panel");

    this.refreshOn = this.refreshBox ? this.refreshBox.checked : cfg.refresh !== false;
    this.lastID = Number(cfg.lastID) || 0;
    this.es = null;
    this.mode = "off"; // live, poll, off
    this.pollTimer = 0;
    this.pollAbort = null;
    this.retryTimer = 0;
    this.hasEventSource = typeof window.EventSource === "function";
    this.fallback = !this.hasEventSource;
    this.sseErrors = 0;
    this.sseOpenedAt = 0;
    this.sseGot = false;
    this.sending = false;
    this.prefs = null;
    this.finder = new Map(); // clock finder answers (promises), by clock text
    this.parsed = new WeakMap(); // span.pointer → parsed norloge
    this.hoverPointer = null;
    this.hoverLi = null;
    this.lit = []; // elements with the class highlighted
    this.popup = null; // totoz bubble
    this.unread = 0;
    this.unreadMark = false;
    this.title = document.title;
  }

  t(key, ...args) {
    // Every string comes from the server's catalogue (data-config).
    const s = this.strings[key];
    return format(s === undefined ? key : s, ...args);
  }

  start() {
    document.documentElement.classList.add("js-board");
    if (!this.list) return;
    for (const li of this.messages()) this.lastID = Math.max(this.lastID, +li.dataset.id || 0);
    const cands = this.candidates();
    for (const li of this.list.querySelectorAll("li.message")) this.decorate(li, cands);
    this.markIndices();

    this.bindList();
    // history.js prepends pages of older messages: decorate them, and
    // keep them when new ones arrive (the reader went back: nothing is
    // trimmed any more).
    this.list.addEventListener("tribune:older", (e) => {
      this.trim = () => {};
      const added = this.candidates();
      for (const li of e.detail) this.decorate(li, added);
      this.markIndices();
    });
    this.bindForm();
    this.bindTools();
    this.bindGlobal();

    if (this.tools) this.tools.hidden = false;
    this.scrollToBottom();
    this.connect();
  }

  // -------------------------------------------------------------------------
  // The list

  messages() {
    return this.list.querySelectorAll("li.message[data-id]:not(.pending)");
  }

  candidates() {
    return Array.from(this.messages(), (li) => ({
      el: li,
      id: +li.dataset.id,
      created: li.dataset.created || "",
      index: +li.dataset.index || 1,
    }));
  }

  firstPending() {
    return this.list.querySelector("li.message.pending");
  }

  isAtBottom() {
    const doc = document.documentElement;
    return window.innerHeight + window.scrollY >= doc.scrollHeight - 40;
  }

  scrollToBottom() {
    window.scrollTo(0, document.documentElement.scrollHeight);
  }

  // The top and bottom of the area where messages are seen: the window,
  // minus the form stuck at its bottom and the head stuck at its top.
  viewArea() {
    let bottom = window.innerHeight;
    let top = 0;
    const head = this.section.querySelector(".board-head");
    if (head) {
      const r = head.getBoundingClientRect();
      if (r.top <= 1 && r.bottom > 0) top = r.bottom;
    }
    if (this.form) {
      const r = this.form.getBoundingClientRect();
      if (r.top < bottom && r.bottom >= bottom - 1) bottom = r.top;
    }
    return { top, bottom };
  }

  isVisible(li) {
    const r = li.getBoundingClientRect();
    const v = this.viewArea();
    return r.height > 0 && r.top >= v.top - 1 && r.bottom <= v.bottom + 1;
  }

  // buildMessage makes the li of a JSON row, as the server renders it.
  buildMessage(row) {
    const login = row.author__username || "";
    const index = +row.clock_indice || 1;
    const created = String(row.created || "");
    const li = el("li", "message" + (row.owned ? " owned" : ""));
    li.id = "m" + row.id;
    li.dataset.id = String(row.id);
    li.dataset.created = created;
    li.dataset.clock = row.clock || "";
    li.dataset.index = String(index);
    li.dataset.clockclass = row.clockclass || "";
    li.dataset.login = login;
    li.dataset.owned = row.owned ? "true" : "false";

    const clock = el("button", "clock");
    clock.type = "button";
    clock.title = this.t("board.insert_clock");
    const time = el("time", "", row.clock || "");
    if (created.length >= 14) {
      // The tribune's own time, never converted to the browser's zone.
      time.dateTime = `${created.slice(0, 4)}-${created.slice(4, 6)}-${created.slice(6, 8)}T${row.clock}`;
    }
    clock.append(time);
    if (index > 1) clock.append(el("sup", "", superscript(index)));

    const identity = el("span", "identity " + (login ? "authenticated" : "anonymous"));
    identity.textContent = login ? `<${login}>` : cut(row.user_agent || "", 30);
    identity.title = row.user_agent || "";

    const content = el("span", "content");
    content.innerHTML = row.web_render || ""; // sanitized by the server

    li.append(clock, " ", identity, " ", content);
    return li;
  }

  // appendRows adds JSON rows (ascending) to the list, skipping those it has,
  // keeping at most limit messages and the scroll position.
  appendRows(rows, { fresh = true, keepScroll = true } = {}) {
    if (!Array.isArray(rows) || !rows.length || !this.list) return;
    const atBottom = keepScroll && this.isAtBottom();
    const anchor = atBottom || !keepScroll ? null : this.firstVisibleMessage();
    const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
    const added = [];
    for (const row of rows) {
      if (!row || !Number.isFinite(+row.id)) continue;
      const id = +row.id;
      this.lastID = Math.max(this.lastID, id);
      const known = document.getElementById("m" + id);
      if (known) {
        // The post answer knows better than a stream opened before the
        // session existed.
        if (row.owned && !known.classList.contains("owned")) this.setOwned(known);
        continue;
      }
      const li = this.buildMessage(row);
      // In id order, before the viewer's waiting messages.
      let ref = this.firstPending();
      const msgs = this.messages();
      for (let i = msgs.length - 1; i >= 0 && +msgs[i].dataset.id > id; i--) ref = msgs[i];
      this.list.insertBefore(li, ref);
      if (fresh) li.classList.add("fresh");
      added.push(li);
    }
    this.syncLastID();
    if (!added.length) return;
    const empty = document.getElementById("empty");
    if (empty) empty.remove();
    this.trim();
    this.markIndices();
    for (const li of added) if (li.isConnected) this.decorate(li);
    if (fresh) this.countUnread(added);
    // Hook: messages came (fresh: live, not a reload).
    this.section.dispatchEvent(new CustomEvent("tribune:added", { detail: { rows: added, fresh } }));
    if (atBottom) this.scrollToBottom();
    else if (anchor && anchor.isConnected) {
      const shift = anchor.getBoundingClientRect().top - anchorTop;
      if (shift) window.scrollBy(0, shift);
    }
  }

  setOwned(li) {
    li.classList.add("owned");
    li.dataset.owned = "true";
    this.remarkAll();
  }

  syncLastID() {
    const hidden = this.form && this.form.elements.namedItem("last_id");
    if (hidden) hidden.value = String(this.lastID);
  }

  // markIndices shows the index after each clock whose second is shared in
  // the list, ¹ on the first one too (as the server renders it), and
  // updates it when messages come or go.
  markIndices() {
    const lis = Array.from(this.messages());
    const marks = indexMarks(
      lis.map((li) => ({ created: li.dataset.created, index: li.dataset.index, shared: li.dataset.shared === "true" })),
    );
    lis.forEach((li, i) => {
      const clock = li.querySelector(":scope > button.clock");
      if (!clock) return;
      let sup = clock.querySelector("sup");
      if (!marks[i]) {
        if (sup) sup.remove();
        return;
      }
      if (!sup) {
        sup = el("sup");
        clock.append(sup);
      }
      if (sup.textContent !== marks[i]) sup.textContent = marks[i];
    });
  }

  firstVisibleMessage() {
    for (const li of this.messages()) {
      if (li.getBoundingClientRect().bottom > 0) return li;
    }
    return null;
  }

  trim() {
    const msgs = this.messages();
    for (let i = 0; i < msgs.length - this.limit; i++) {
      if (msgs[i] === this.hoverLi) this.setHoverLi(null);
      msgs[i].remove();
    }
  }

  // replaceRows rebuilds the list from rows (after a filter change), keeping
  // the messages newer than keepAbove (live ones the rows may predate).
  replaceRows(rows, keepAbove = Infinity) {
    const atBottom = this.isAtBottom();
    const y = window.scrollY;
    this.clearHover();
    for (const li of this.messages()) if (+li.dataset.id <= keepAbove) li.remove();
    this.appendRows(rows, { fresh: false, keepScroll: false });
    this.markIndices();
    if (atBottom) this.scrollToBottom();
    else window.scrollTo(0, y);
  }

  // decorate adds to a message li what the server's render lacks: /me,
  // link targets, norloge parsing, marks.
  decorate(li, cands) {
    const content = li.querySelector(".content");
    if (!content) return;
    if (li.dataset.login) this.meAction(li, content);
    for (const a of content.querySelectorAll("a.external, a.smiley")) {
      a.target = "_blank";
      a.rel = "nofollow noopener";
    }
    for (const sp of content.querySelectorAll("span.pointer")) {
      const p = parseNorloge(sp.textContent);
      this.parsed.set(sp, p);
      // Reachable with Tab: focus does what hovering does.
      sp.tabIndex = 0;
      if (p && p.bouchot) {
        sp.classList.add("pointer-other");
        sp.title = this.t("board.other_tribune");
      }
    }
    this.mark(li, cands);
    // Hook for the other modules (row menu, alerts, totoz): a row is ready.
    this.section.dispatchEvent(new CustomEvent("tribune:row", { detail: li }));
  }

  meAction(li, content) {
    if (li.classList.contains("me-action")) return;
    const first = content.firstChild;
    if (first && first.nodeType === Node.TEXT_NODE && first.data.startsWith("/me ")) {
      first.data = first.data.slice(4);
      li.classList.add("me-action");
    }
  }

  // resolve gives the li elements of the list a pointer points to.
  resolve(sp, cands) {
    const p = this.parsed.has(sp) ? this.parsed.get(sp) : parseNorloge(sp.textContent);
    if (!p || p.bouchot) return [];
    const owner = sp.closest("li.message");
    const ownerID = owner && owner.dataset.id ? +owner.dataset.id : 0;
    return resolveNorloge(p, cands || this.candidates(), ownerID).map((c) => c.el);
  }

  // mark sets the classes owned/answer/hail and their accessible hint.
  mark(li, cands) {
    const content = li.querySelector(".content");
    if (!content) return;
    // Once an answer, always an answer: the message answered may leave the
    // list, the mark stays.
    let answer = false;
    for (const sp of content.querySelectorAll("span.pointer:not(.pointer-other)")) {
      if (!sp.classList.contains("pointer-answer") && this.resolve(sp, cands).some((t) => t.classList.contains("owned"))) {
        sp.classList.add("pointer-answer");
      }
      if (sp.classList.contains("pointer-answer")) answer = true;
    }
    li.classList.toggle("answer", answer);
    // One's own "moules<" calls the others, not oneself.
    li.classList.toggle("hail", !li.classList.contains("owned") && hails(content.textContent, [this.login, this.name]));

    const hints = [];
    if (li.classList.contains("owned")) hints.push(this.t("board.owned"));
    if (li.classList.contains("answer")) hints.push(this.t("board.answer"));
    if (li.classList.contains("hail")) hints.push(this.t("board.hail"));
    let marker = li.querySelector(":scope > .marker");
    if (!hints.length) {
      if (marker) marker.remove();
      return;
    }
    if (!marker) {
      marker = el("span", "marker");
      li.prepend(marker, " ");
    }
    const text = hints.join(", ");
    marker.title = text;
    marker.replaceChildren(el("span", "visually-hidden", text + " "));
  }

  remarkAll() {
    const cands = this.candidates();
    for (const li of this.list.querySelectorAll("li.message")) this.mark(li, cands);
  }

  // -------------------------------------------------------------------------
  // Hover: norloges, messages, totoz

  bindList() {
    const list = this.list;
    list.addEventListener("click", (e) => {
      const btn = e.target.closest("button.clock");
      if (!btn || !list.contains(btn)) return;
      const li = btn.closest("li.message[data-id]");
      if (li) this.insertClock(li);
    });
    list.addEventListener("mouseover", (e) => {
      const sp = e.target.closest("span.pointer");
      this.setPointer(sp && list.contains(sp) ? sp : null, e);
      const li = e.target.closest("li.message[data-id]");
      this.setHoverLi(li && !li.classList.contains("pending") ? li : null);
      const a = e.target.closest("a.smiley");
      if (a && a !== (this.popup && this.popup.link)) this.showTotoz(a);
    });
    list.addEventListener("mouseout", (e) => {
      const a = e.target.closest("a.smiley");
      if (a && this.popup && this.popup.link === a && !a.contains(e.relatedTarget)) this.hideTotoz();
    });
    list.addEventListener("mouseleave", () => this.clearHover());
    // Keyboard: a focused clock shows the answers to its message, a focused
    // norloge what it points to (always in the preview, which describes
    // it), a focused totoz link its image.
    list.addEventListener("focusin", (e) => {
      const btn = e.target.closest("button.clock");
      if (btn) this.setHoverLi(btn.closest("li.message[data-id]"));
      const sp = e.target.closest("span.pointer");
      if (sp) this.setPointer(sp, null, true);
      const a = e.target.closest("a.smiley");
      if (a) this.showTotoz(a);
    });
    list.addEventListener("focusout", (e) => {
      if (e.target.closest("button.clock")) this.setHoverLi(null);
      if (e.target === this.hoverPointer) this.setPointer(null);
      if (this.popup && e.target === this.popup.link) this.hideTotoz();
    });
    window.addEventListener("scroll", () => this.hideTotoz(), { passive: true });
  }

  // removeMessage takes a message down for everybody (moderators).
  async removeMessage(li) {
    if (!li || !window.confirm(this.t("board.remove_confirm"))) return;
    const res = await this.postForm(this.cfg.removeURL + li.dataset.id + "/remove", {});
    if (res.ok) {
      li.remove();
      this.markIndices();
    } else {
      this.setError(res.text || (res.data && res.data.error) || this.t("error.internal"));
    }
  }

  clearHover() {
    this.setPointer(null);
    this.setHoverLi(null);
    this.hideTotoz();
  }

  unlight(kind) {
    this.lit = this.lit.filter(([k, e]) => {
      if (k !== kind) return true;
      e.classList.remove("highlighted");
      return false;
    });
  }

  light(kind, e) {
    e.classList.add("highlighted");
    this.lit.push([kind, e]);
  }

  // setHoverLi highlights the norloges answering the hovered message.
  setHoverLi(li) {
    if (li === this.hoverLi) return;
    this.unlight("answers");
    this.hoverLi = li;
    if (!li) return;
    const cands = this.candidates();
    for (const sp of this.list.querySelectorAll("span.pointer:not(.pointer-other)")) {
      if (this.resolve(sp, cands).includes(li)) this.light("answers", sp);
    }
  }

  // setPointer highlights what the hovered norloge points to, and previews
  // what cannot be seen (everything, for a norloge focused with the
  // keyboard: the preview is its description).
  setPointer(sp, ev, focused) {
    if (sp === this.hoverPointer) return;
    this.unlight("targets");
    this.hidePreview();
    this.hoverPointer = sp;
    if (!sp) return;
    const p = this.parsed.has(sp) ? this.parsed.get(sp) : parseNorloge(sp.textContent);
    if (!p || p.bouchot) return;
    const at = ev ? { x: ev.clientX, y: ev.clientY } : null;
    const targets = this.resolve(sp);
    for (const li of targets) this.light("targets", li);
    // The other norloges pointing at the same messages light up too.
    if (targets.length) {
      const cands = this.candidates();
      for (const other of this.list.querySelectorAll("span.pointer:not(.pointer-other)")) {
        if (other !== sp && this.resolve(other, cands).some((t) => targets.includes(t))) this.light("targets", other);
      }
    }
    if (targets.length) {
      const hidden = focused ? targets : targets.filter((li) => !this.isVisible(li));
      if (hidden.length) this.showPreview(hidden.map((li) => this.entryFromLi(li)), sp, at);
      return;
    }
    const owner = sp.closest("li.message");
    const ownerID = owner && owner.dataset.id ? +owner.dataset.id : 0;
    this.findClock(sp.textContent.trim().replace(/@\w*$/, "")).then((rows) => {
      if (this.hoverPointer !== sp) return;
      if (rows === null) return;
      const cands = rows.map((r) => ({ row: r, id: +r.id, created: String(r.created || ""), index: +r.clock_indice || 1 }));
      const found = resolveNorloge(p, cands, ownerID);
      const entries = found.map((c) => this.entryFromRow(c.row));
      if (!entries.length) entries.push(el("p", "preview-empty", this.t("board.not_found")));
      this.showPreview(entries, sp, at);
    });
  }

  // findClock asks the clock finder, once per clock.
  findClock(clock) {
    if (!this.cfg.clockURL) return Promise.resolve([]);
    let pr = this.finder.get(clock);
    if (!pr) {
      pr = fetch(this.cfg.clockURL + encodeURIComponent(clock) + "/", {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then((r) => (r.ok ? r.json() : r.status === 400 || r.status === 404 ? [] : Promise.reject(r.status)))
        .then((rows) => (Array.isArray(rows) ? rows : []))
        .catch(() => {
          this.finder.delete(clock);
          return null;
        });
      this.finder.set(clock, pr);
    }
    return pr;
  }

  entryFromLi(li) {
    const entry = el("div", "preview-message");
    const clock = li.querySelector(".clock");
    const identity = li.querySelector(".identity");
    const content = li.querySelector(".content");
    entry.append(el("span", "clock", clock ? clock.textContent : ""), " ");
    const id = el("span", identity ? identity.className : "identity", identity ? identity.textContent : "");
    entry.append(id, " ");
    const c = content ? content.cloneNode(true) : el("span", "content");
    for (const h of c.querySelectorAll(".highlighted")) h.classList.remove("highlighted");
    entry.append(c);
    return entry;
  }

  entryFromRow(row) {
    const entry = el("div", "preview-message");
    const index = +row.clock_indice || 1;
    const login = row.author__username || "";
    entry.append(el("span", "clock", (row.clock || "") + (index > 1 ? superscript(index) : "")), " ");
    entry.append(
      el("span", "identity " + (login ? "authenticated" : "anonymous"), login ? `<${login}>` : cut(row.user_agent || "", 30)),
      " ",
    );
    const c = el("span", "content");
    c.innerHTML = row.web_render || ""; // sanitized by the server
    entry.append(c);
    return entry;
  }

  showPreview(entries, anchor, at) {
    const box = this.preview;
    if (!box) return;
    box.replaceChildren(...entries);
    this.place(box, anchor, at);
    anchor.setAttribute("aria-describedby", box.id);
    this.described = anchor;
  }

  hidePreview() {
    if (!this.preview) return;
    this.preview.hidden = true;
    this.preview.replaceChildren();
    if (this.described) {
      this.described.removeAttribute("aria-describedby");
      this.described = null;
    }
  }

  // place shows a fixed box near the mouse (or below the anchor), inside the
  // window.
  place(box, anchor, at) {
    box.hidden = false;
    box.style.left = "0px";
    box.style.top = "0px";
    const vw = document.documentElement.clientWidth;
    const vh = window.innerHeight;
    const w = box.offsetWidth;
    const h = box.offsetHeight;
    const r = anchor.getBoundingClientRect();
    const x = at ? at.x : r.left;
    const below = at ? at.y + 18 : r.bottom + 6;
    const above = (at ? at.y - 12 : r.top - 6) - h;
    let left = Math.min(x + (at ? 12 : 0), vw - 8 - w);
    left = Math.max(8, left);
    let top = below;
    if (top + h > vh - 8) top = above >= 8 ? above : Math.max(8, vh - 8 - h);
    box.style.left = `${Math.round(left)}px`;
    box.style.top = `${Math.round(top)}px`;
  }

  // totozSrc is a totoz's image address on the configured totoz server
  // (whatever address the message was rendered with), "" when none is.
  totozSrc(a) {
    const name = /^\[:(.+)\]$/.exec(a.textContent.trim());
    if (!this.cfg.totozURL || !name) return "";
    return this.cfg.totozURL.replace(/\{name\}|\{0\}/g, encodeURIComponent(name[1]));
  }

  showTotoz(a) {
    this.hideTotoz();
    const src = this.totozSrc(a);
    if (!src) return;
    const box = el("div", "totoz-popup");
    box.setAttribute("aria-hidden", "true");
    const img = el("img");
    img.alt = "";
    img.decoding = "async";
    img.src = src;
    box.append(img);
    document.body.append(box);
    this.popup = { box, link: a };
    this.place(box, a, null);
    img.addEventListener("load", () => {
      if (this.popup && this.popup.box === box) this.place(box, a, null);
    });
    img.addEventListener("error", () => {
      if (this.popup && this.popup.box === box) this.hideTotoz();
    });
  }

  hideTotoz() {
    if (!this.popup) return;
    this.popup.box.remove();
    this.popup = null;
  }

  // -------------------------------------------------------------------------
  // The input: clocks, shortcuts, posting

  insertClock(li) {
    const created = li.dataset.created;
    const index = +li.dataset.index || 1;
    let shared = li.dataset.shared === "true";
    for (const other of this.messages()) {
      if (other !== li && other.dataset.created === created) {
        shared = true;
        break;
      }
    }
    this.insertText(clockReference(li.dataset.clock, index, shared) + " ", true);
  }

  // insertText replaces the selection of the input with text, keeping the
  // browser's undo history when it can.
  insertText(text, spaceBefore) {
    const input = this.input;
    if (!input) return;
    const len = input.value.length;
    const start = input.selectionStart ?? len;
    const end = input.selectionEnd ?? start;
    if (spaceBefore && start > 0 && !/\s/.test(input.value[start - 1])) text = " " + text;
    input.focus();
    input.setSelectionRange(start, end);
    let done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch {
      done = false;
    }
    if (!done) {
      input.setRangeText(text, start, end, "end");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    return start;
  }

  wrap(tag) {
    const input = this.input;
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? start;
    const { text, caret } = wrapSelection(input.value, start, end, tag);
    this.insertText(text, false);
    input.setSelectionRange(caret, caret);
  }

  bindForm() {
    const { form, input } = this;
    if (!form || !input) return;
    const keys = { KeyB: "b", KeyI: "i", KeyS: "s", KeyU: "u", KeyT: "tt", KeyC: "code", KeyM: "m" };
    input.addEventListener("keydown", (e) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const tag = keys[e.code];
      if (!tag) return;
      e.preventDefault();
      this.wrap(tag);
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.post();
    });
  }

  setError(msg) {
    const { input, postError } = this;
    input.classList.add("error");
    input.setAttribute("aria-invalid", "true");
    if (postError) postError.textContent = msg;
  }

  clearError() {
    const { input, postError } = this;
    input.classList.remove("error");
    input.removeAttribute("aria-invalid");
    if (postError) postError.textContent = "";
  }

  async post() {
    const { form, input } = this;
    if (this.sending) return;
    const text = input.value;
    if (!text.trim()) {
      input.focus();
      return;
    }
    const body = new URLSearchParams(new FormData(form));
    body.set("last_id", String(this.lastID));
    const button = form.querySelector("button[type=submit], button:not([type])");
    this.sending = true;
    form.setAttribute("aria-busy", "true");
    if (button) button.disabled = true;
    if (this.postNotice) this.postNotice.textContent = "";
    let res = null;
    let data = null;
    let raw = "";
    try {
      res = await fetch(this.cfg.postURL || form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const ct = res.headers.get("Content-Type") || "";
      if (ct.includes("json")) data = await res.json().catch(() => null);
      else raw = await res.text().catch(() => "");
    } catch {
      res = null;
    }
    this.sending = false;
    form.removeAttribute("aria-busy");
    if (button) button.disabled = false;
    input.focus();

    if (!res) {
      this.setError(this.t("board.network_error"));
      return;
    }
    if (data && data.captcha) this.newCaptcha(data.captcha);
    const status = data && data.status;
    if (status === "published" || status === "pending" || status === "command") {
      this.clearError();
      // Clear what was sent, not what was typed since.
      if (input.value === text) input.value = "";
      else if (input.value.startsWith(text)) input.value = input.value.slice(text.length).replace(/^\s+/, "");
      if (data.notice && this.postNotice) this.postNotice.textContent = data.notice;
      if (status === "pending") this.pendingNotice = data.notice;
      const atBottom = this.isAtBottom();
      this.appendRows(data.rows);
      // The answer carries the messages after last_id, none after 0: on a
      // board that was empty, read the list (the live refresh may be off).
      if (status === "published" && !document.getElementById("m" + data.id)) await this.reloadList(true);
      const mine = data.id && document.getElementById("m" + data.id);
      if (mine && !mine.classList.contains("owned")) this.setOwned(mine);
      if (status === "pending") this.addPending(data);
      if (atBottom || status !== "command") this.scrollToBottom();
      if (status === "command") this.afterCommand(text);
      else if (!this.posted) {
        // The first post may have opened the session: the stream must carry
        // it to tell which messages are the viewer's and to report the
        // moderators' decisions.
        this.posted = true;
        if (this.mode === "live") this.connect();
      }
      return;
    }
    let msg = data && data.error;
    if (!msg && raw && raw.length < 300 && !/<[a-z!]/i.test(raw)) msg = raw.trim();
    this.setError(msg || this.t("error.internal"));
    if (data) this.appendRows(data.rows);
  }

  newCaptcha(id) {
    const fs = document.getElementById("captcha");
    if (!fs || !this.cfg.captchaURL) return;
    const base = this.cfg.captchaURL + encodeURIComponent(id);
    const img = document.getElementById("captcha-image");
    if (img) img.src = base + ".png";
    const audio = document.getElementById("captcha-audio");
    if (audio) audio.href = base + ".wav";
    const hidden = fs.querySelector("input[name=captcha_id]");
    if (hidden) hidden.value = id;
    const answer = fs.querySelector("input[name=captcha]");
    if (answer) answer.value = "";
  }

  addPending(data) {
    const li = el("li", "message pending owned");
    li.dataset.submission = String(data.submission_id || "");
    const identity = el("span", "identity");
    identity.textContent = this.login ? `<${this.login}>` : this.name || cut(navigator.userAgent, 30);
    const content = el("span", "content");
    content.innerHTML = data.web_render || ""; // sanitized by the server
    li.append(el("span", "clock", "--:--:--"), " ", identity, " ", content, " ", el("span", "status", this.t("board.pending")));
    this.list.append(li);
    const empty = document.getElementById("empty");
    if (empty) empty.remove();
    this.decorate(li);
  }

  // afterCommand: /name changes the hails, /bak the filters.
  async afterCommand(text) {
    const name = nameCommand(text);
    if (name !== null && name !== this.name) {
      this.name = name;
      this.remarkAll();
    }
    const before = this.prefs ? JSON.stringify(this.prefs.filters) : null;
    const prefs = await this.loadPrefs();
    if (prefs) {
      if (this.panel && !this.panel.hidden) this.renderPanel();
      const changed = before === null ? /^\/bak\b/.test(text) : JSON.stringify(prefs.filters) !== before;
      if (changed) await this.reloadList();
    }
    this.connect();
  }

  // -------------------------------------------------------------------------
  // Live updates

  setState(state) {
    const ls = this.liveState;
    if (!ls) return;
    const text = {
      live: () => this.t("board.live"),
      poll: () => this.t("board.polling", this.refreshSecs),
      paused: () => this.t("board.paused"),
      error: () => this.t("board.refresh_error"),
    }[state]();
    if (ls.dataset.state !== state) ls.dataset.state = state;
    // The polling interval means nothing while the board is live.
    const interval = this.intervalInput && this.intervalInput.form;
    if (interval) interval.hidden = state === "live";
    if (ls.textContent !== text) ls.textContent = text;
  }

  // connect (re)starts the live updates as the preferences say.
  connect() {
    this.disconnect();
    if (!this.refreshOn) {
      this.setState("paused");
      return;
    }
    if (!this.fallback) {
      this.openStream();
      return;
    }
    this.startPolling();
    if (this.hasEventSource) {
      // The stream failed: try it again in a while.
      this.retryTimer = setTimeout(() => {
        this.fallback = false;
        this.sseErrors = 0;
        this.connect();
      }, 5 * 60 * 1000);
    }
  }

  disconnect() {
    if (this.es) {
      this.es.close();
      this.es = null;
    }
    clearTimeout(this.pollTimer);
    this.pollTimer = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    if (this.pollAbort) {
      this.pollAbort.abort();
      this.pollAbort = null;
    }
    this.mode = "off";
  }

  openStream() {
    const src = new EventSource(this.cfg.streamURL + "?last_id=" + this.lastID);
    this.es = src;
    this.mode = "live";
    const mine = (fn) => (ev) => {
      if (this.es !== src) return;
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      fn(data);
    };
    src.onopen = () => {
      if (this.es !== src) return;
      this.sseOpenedAt = Date.now();
      this.sseGot = false;
      this.setState("live");
      if (!this.lastID) this.reloadList(true); // the stream sends no backlog after last_id=0
    };
    src.addEventListener(
      "message",
      mine((row) => {
        this.sseGot = true;
        this.sseErrors = 0;
        this.appendRows([row]);
      }),
    );
    src.addEventListener(
      "removed",
      mine((d) => {
        const li = document.getElementById("m" + d.id);
        if (!li) return;
        if (li === this.hoverLi) this.setHoverLi(null);
        li.remove();
        this.markIndices();
      }),
    );
    // The list is not what the server would send now (too much missed, or
    // the filters changed): read it again, keeping what comes live.
    src.addEventListener("reset", mine(() => this.reloadList(true)));
    src.addEventListener("submission", mine((d) => this.decided(d)));
    src.addEventListener("pending", mine((d) => this.setPendingCount(d.pending)));
    src.onerror = () => {
      if (this.es !== src) return;
      // A stream that lived a while, or carried messages, was fine: count
      // this drop as the first of a new series.
      const lived = this.sseGot || (this.sseOpenedAt && Date.now() - this.sseOpenedAt > 30000);
      this.sseErrors = lived ? 1 : this.sseErrors + 1;
      this.sseOpenedAt = 0;
      this.sseGot = false;
      if (src.readyState === EventSource.CLOSED || this.sseErrors >= 3) {
        // The stream does not work here: poll, and try it again later.
        this.fallback = true;
        this.connect();
        return;
      }
      this.setState("error"); // the browser reconnects by itself
    };
  }

  startPolling() {
    this.mode = "poll";
    this.setState("poll");
    this.pollOnce();
  }

  async pollOnce() {
    this.pollTimer = 0;
    if (!this.refreshOn || this.mode !== "poll") return;
    const ctl = new AbortController();
    this.pollAbort = ctl;
    try {
      const r = await fetch(this.cfg.backendURL + "?last_id=" + this.lastID, {
        cache: "no-store",
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: ctl.signal,
      });
      if (r.status === 200) this.appendRows(await r.json());
      else if (r.status !== 304) throw new Error(String(r.status));
      if (this.pollAbort === ctl) this.setState("poll");
    } catch {
      if (ctl.signal.aborted) return;
      if (this.pollAbort === ctl) this.setState("error");
    }
    if (this.pollAbort !== ctl) return;
    this.pollAbort = null;
    if (this.refreshOn && this.mode === "poll") {
      this.pollTimer = setTimeout(() => this.pollOnce(), this.refreshSecs * 1000);
    }
  }

  // decided: a moderator (or the auto-moderation) decided a waiting message.
  decided(d) {
    if (d.status === "removed") {
      // The message itself goes with the "removed" event; its author is
      // told why, where command answers show.
      if (d.text && this.postNotice) this.postNotice.textContent = d.text;
      return;
    }
    const li = this.list.querySelector(`li.pending[data-submission="${CSS.escape(String(d.id))}"]`);
    if (!li) return;
    // The "awaits moderation" notice is over once the decision came.
    if (this.postNotice && this.pendingNotice && this.postNotice.textContent === this.pendingNotice) {
      this.postNotice.textContent = "";
    }
    if (d.status === "accepted") {
      li.remove();
      return;
    }
    if (d.status === "rejected") {
      li.classList.add("rejected");
      let status = li.querySelector(".status");
      if (!status) {
        status = el("span", "status");
        li.append(" ", status);
      }
      status.textContent = d.text || (d.reason ? this.t("board.rejected_because", d.reason) : this.t("board.rejected"));
    }
  }

  setPendingCount(n) {
    n = Number(n) || 0;
    for (const c of document.querySelectorAll(".pending-count")) {
      c.dataset.pending = String(n);
      c.textContent = n ? String(n) : "";
    }
  }

  // countUnread shows in the tab's title how many messages came while the
  // page was hidden, with a * when one of them answers or calls the viewer.
  countUnread(added) {
    if (!document.hidden) return;
    for (const li of added) {
      if (li.classList.contains("owned")) continue;
      this.unread++;
      if (li.classList.contains("answer") || li.classList.contains("hail")) this.unreadMark = true;
    }
    if (this.unread) document.title = `(${this.unread}${this.unreadMark ? "*" : ""}) ${this.title}`;
  }

  // reloadList reads the list again (the filters changed what is hidden,
  // or the stream could not send all that was missed). keepLive keeps the
  // messages the stream brings meanwhile.
  async reloadList(keepLive) {
    if (!this.cfg.backendURL) return;
    const keepAbove = keepLive ? this.lastID : Infinity;
    try {
      const r = await fetch(this.cfg.backendURL + "?limit=" + this.limit, {
        cache: "no-store",
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (r.status === 200) this.replaceRows(await r.json(), keepAbove);
      else if (r.status === 304) this.replaceRows([], keepAbove);
    } catch {
      // The list stays as it is.
    }
  }

  // -------------------------------------------------------------------------
  // Tools: refresh, theme, filters panel

  bindTools() {
    if (this.refreshBox) {
      this.refreshBox.addEventListener("change", () => {
        this.refreshOn = this.refreshBox.checked;
        this.savePref({ refresh: this.refreshOn ? "on" : "off" });
        if (this.refreshOn) {
          this.fallback = !this.hasEventSource;
          this.sseErrors = 0;
        }
        this.connect();
      });
    }
    this.addIntervalControl();
    if (this.themeButton) {
      this.showTheme();
      this.themeButton.addEventListener("click", () => {
        const cur = document.documentElement.dataset.theme || "";
        const next = THEMES[(THEMES.indexOf(cur) + 1) % THEMES.length];
        document.documentElement.dataset.theme = next;
        this.showTheme();
        this.savePref({ theme: next });
      });
    }
    if (this.filtersButton && this.panel) {
      this.filtersButton.addEventListener("click", () => this.togglePanel());
      this.panel.addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          this.togglePanel(false);
          this.filtersButton.focus();
        }
      });
    }
  }

  // showTheme names the current theme on its button ("Theme: light"); a
  // click goes to the next one.
  showTheme() {
    const cur = document.documentElement.dataset.theme || "";
    this.themeButton.textContent = this.t("board.theme_current", this.t(THEME_KEYS[cur] || THEME_KEYS[""]));
    this.themeButton.dataset.theme = cur || "auto";
  }

  // addIntervalControl puts the polling interval beside the refresh box,
  // "every [10] s", saved when it changes.
  addIntervalControl() {
    const box = this.refreshBox && this.refreshBox.closest("label");
    if (!box || !this.cfg.prefsURL) return;
    const form = el("form", "refresh-interval");
    form.noValidate = true; // the server's message, not the browser's
    const secs = el("input");
    secs.type = "number";
    secs.id = "refresh-secs";
    secs.name = "refresh_secs";
    secs.min = "2";
    secs.max = "600";
    secs.step = "1";
    secs.inputMode = "numeric";
    secs.value = String(this.refreshSecs);
    secs.setAttribute("aria-label", this.t("board.refresh_secs"));
    secs.title = this.t("board.refresh_secs");
    // The input's aria-label says it all: the words around it are for the eyes.
    const label = el("label", "", this.t("board.refresh_every"));
    label.htmlFor = secs.id;
    label.setAttribute("aria-hidden", "true");
    const unit = el("span", "unit", this.t("board.seconds"));
    unit.setAttribute("aria-hidden", "true");
    form.append(label, " ", secs, " ", unit);
    const save = async () => {
      const n = Math.round(Number(secs.value));
      if (n === this.refreshSecs && secs.value !== "") return;
      const res = await this.savePref({ refresh_secs: String(n) });
      if (res.ok && res.data) {
        secs.removeAttribute("aria-invalid");
        secs.setCustomValidity("");
        this.usePrefs(res.data);
        secs.value = String(this.refreshSecs);
        if (this.mode === "poll") {
          clearTimeout(this.pollTimer);
          if (!this.pollAbort) this.pollTimer = setTimeout(() => this.pollOnce(), this.refreshSecs * 1000);
        }
      } else {
        secs.setAttribute("aria-invalid", "true");
        secs.setCustomValidity((res.data && res.data.error) || res.text || this.t("error.internal"));
        secs.reportValidity();
      }
    };
    secs.addEventListener("input", () => secs.setCustomValidity(""));
    secs.addEventListener("change", save);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      save();
    });
    box.after(" ", form);
    this.intervalInput = secs;
  }

  bindGlobal() {
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        this.setPointer(null);
        this.hideTotoz();
      }
    });
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.unread) {
        this.unread = 0;
        this.unreadMark = false;
        document.title = this.title;
      }
    });
  }

  // postForm POSTs fields, asking for JSON; the answer is {ok, data, text}.
  async postForm(url, fields) {
    try {
      const r = await fetch(url, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const ct = r.headers.get("Content-Type") || "";
      if (ct.includes("json")) return { ok: r.ok, data: await r.json() };
      return { ok: r.ok, text: (await r.text()).trim() };
    } catch {
      return { ok: false, text: this.t("board.network_error") };
    }
  }

  // savePref saves preferences one request after the other, so that quick
  // clicks (the theme) are saved in the order they were made.
  savePref(fields) {
    if (!this.cfg.prefsURL) return Promise.resolve({ ok: false });
    const send = () => this.postForm(this.cfg.prefsURL, fields);
    this.prefSaving = (this.prefSaving || Promise.resolve()).then(send, send);
    return this.prefSaving;
  }

  async loadPrefs() {
    if (!this.cfg.prefsURL) return null;
    try {
      const r = await fetch(this.cfg.prefsURL + ".json", {
        cache: "no-store",
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!r.ok) return null;
      const p = await r.json();
      this.usePrefs(p);
      return p;
    } catch {
      return null;
    }
  }

  usePrefs(p) {
    if (!p) return;
    this.prefs = p;
    if (typeof p.name === "string" && p.name !== this.name && !this.login) {
      this.name = p.name;
      this.remarkAll();
    }
    if (p.refresh_secs >= 2) this.refreshSecs = p.refresh_secs;
    if (this.intervalInput && document.activeElement !== this.intervalInput) {
      this.intervalInput.value = String(this.refreshSecs);
    }
    if (this.mode === "poll") this.setState("poll");
  }

  async togglePanel(open) {
    const panel = this.panel;
    if (open === undefined) open = panel.hidden;
    this.filtersButton.setAttribute("aria-expanded", String(open));
    if (!open) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    if (!this.prefs) {
      panel.setAttribute("aria-busy", "true");
      await this.loadPrefs();
      panel.removeAttribute("aria-busy");
    }
    this.renderPanel();
  }

  // renderPanel builds the filters panel from this.prefs; focus goes back to
  // the control of key when given.
  renderPanel(focusKey, notice) {
    const panel = this.panel;
    if (!panel) return;
    const prefs = this.prefs || { filters: { active: true, rules: [] } };
    const filters = prefs.filters || { active: true, rules: [] };
    const rules = Array.isArray(filters.rules) ? filters.rules : [];
    const kindLabel = new Map(KINDS.map(([k, key]) => [k, this.t(key)]));
    const targetLabel = new Map(TARGETS.map(([k, key]) => [k, this.t(key)]));
    const keyed = (e, key) => {
      e.dataset.key = key;
      return e;
    };

    const title = el("h2", "panel-title", this.t("board.filters"));
    title.id = "filters-title";
    title.tabIndex = -1;
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-labelledby", title.id);

    // On/off
    const active = keyed(el("input"), "active");
    active.type = "checkbox";
    active.id = "filters-active";
    active.checked = filters.active !== false;
    active.addEventListener("change", () => this.filterAction({ op: active.checked ? "on" : "off" }, "active"));
    const activeLabel = el("label", "filters-active");
    activeLabel.append(active, " ", this.t("board.filters_active"));

    // The rules
    let rulesBox;
    if (!rules.length) {
      rulesBox = el("p", "help", this.t("board.no_filters"));
    } else {
      rulesBox = el("ul", "filter-list");
      rules.forEach((r, i) => {
        const item = el("li", "filter-rule");
        const desc = el("span", "filter-desc");
        desc.append(
          el("span", "filter-target", targetLabel.get(r.target) || r.target),
          " ",
          el("span", "filter-kind", kindLabel.get(r.kind) || r.kind),
          " ",
          el("code", "filter-pattern", r.pattern),
        );
        const rm = keyed(el("button", "tool", this.t("board.filter_remove")), "remove-" + i);
        rm.type = "button";
        rm.setAttribute(
          "aria-label",
          `${this.t("board.filter_remove")}: ${targetLabel.get(r.target) || r.target} ${kindLabel.get(r.kind) || r.kind} ${r.pattern}`,
        );
        rm.addEventListener("click", () => {
          const next = rules.length > 1 ? "remove-" + Math.min(i, rules.length - 2) : "pattern";
          this.filterAction({ op: "remove", target: r.target, kind: r.kind, pattern: r.pattern }, next);
        });
        item.append(desc, " ", rm);
        rulesBox.append(item);
      });
    }

    // Add a rule
    const add = el("form", "filter-add");
    const field = (key, control, labelKey) => {
      control.id = "filter-" + key;
      control.name = key;
      keyed(control, key);
      const wrap = el("div", "field");
      const label = el("label", "", this.t(labelKey));
      label.htmlFor = control.id;
      wrap.append(label, control);
      return wrap;
    };
    const target = el("select");
    for (const [v, key] of TARGETS) {
      const o = el("option", "", this.t(key));
      o.value = v;
      target.append(o);
    }
    const kind = el("select");
    for (const [v, key] of KINDS) {
      const o = el("option", "", `${this.t(key)} (${v})`);
      o.value = v;
      kind.append(o);
    }
    const pattern = el("input");
    pattern.required = true;
    pattern.autocomplete = "off";
    const addButton = el("button", "primary", this.t("board.filter_add"));
    addButton.type = "submit";
    add.append(
      field("target", target, "board.filter_target"),
      field("kind", kind, "board.filter_kind"),
      field("pattern", pattern, "board.filter_pattern"),
      addButton,
    );
    if (this.lastAdd) {
      target.value = this.lastAdd.target;
      kind.value = this.lastAdd.kind;
    }
    add.addEventListener("submit", (e) => {
      e.preventDefault();
      const p = pattern.value.trim();
      if (!p) {
        pattern.focus();
        return;
      }
      this.lastAdd = { target: target.value, kind: kind.value };
      this.filterAction({ op: "add", target: target.value, kind: kind.value, pattern: p }, "pattern");
    });

    // Reset, save, load
    const actions = el("div", "actions");
    const button = (key, labelKey, op) => {
      const b = keyed(el("button", op === "reset" ? "danger" : "", this.t(labelKey)), key);
      b.type = "button";
      b.addEventListener("click", () => this.filterAction({ op }, key));
      return b;
    };
    actions.append(button("reset", "board.filters_reset", "reset"));
    if (this.login) actions.append(button("save", "board.filters_save", "save"), button("load", "board.filters_load", "load"));

    const status = el("p", "panel-notice");
    status.setAttribute("role", "status");
    const alert = el("p", "panel-error");
    alert.setAttribute("role", "alert");
    this.panelStatus = status;
    this.panelAlert = alert;

    const messages = el("div", "panel-messages");
    messages.append(status, alert);

    panel.replaceChildren(title, activeLabel, rulesBox, add, actions, messages);
    if (focusKey) {
      const f = panel.querySelector(`[data-key="${CSS.escape(focusKey)}"]`) || title;
      f.focus();
    }
    if (notice) this.panelSay(notice);
  }

  // panelSay shows a notice (or an error) under the panel's controls.
  panelSay(msg, isError) {
    if (!this.panelStatus) return;
    this.panelStatus.textContent = isError ? "" : msg || "";
    this.panelAlert.textContent = isError ? msg || "" : "";
  }

  async filterAction(fields, focusKey) {
    const res = await this.postForm(this.cfg.prefsURL + "/filters", fields);
    if (res.ok && res.data) {
      this.usePrefs(res.data);
      this.renderPanel(focusKey, res.data.notice);
      await this.reloadList();
      this.connect();
    } else {
      this.panelSay((res.data && (res.data.error || res.data.notice)) || res.text || this.t("error.internal"), true);
    }
  }
}

// Start on the board page (modules run once the document is parsed).
if (typeof document !== "undefined") {
  const section = document.getElementById("board");
  if (section) {
    try {
      // The other modules (rowmenu.js, alerts.js, totoz.js, format.js)
      // run after this one and find the board here.
      const board = new Board(section);
      window.tribune = Object.assign(window.tribune || {}, { board });
      board.start();
    } catch (err) {
      // The server-rendered page keeps working.
      console.error("tribune board:", err);
    }
  }
}
