// History on the board and its pages (docs/history.md): older messages
// loaded page by page at the top of the board, permalinks on every row,
// norloges that jump to what they point to, on the board, on a day's
// archive and on a permalink's page, through the clock finder when the
// page does not hold it. board.js does the rest (hover, previews); it is
// imported first, so its Board has started when this runs.
import { parseNorloge, resolveNorloge } from "./board.js";

/** dayPath writes the day of a created stamp (YYYYMMDDhhmmss) as YYYY-MM-DD. */
export function dayPath(created) {
  const s = String(created || "");
  if (!/^\d{8}/.test(s)) return "";
  return s.slice(0, 4) + "-" + s.slice(4, 6) + "-" + s.slice(6, 8);
}

/**
 * norlogeDay is the YYYY-MM-DD day a dated norloge names, "" for an undated
 * one. MM/DD without a year is the latest such day not after today
 * (YYYYMMDD), as the server reads it.
 */
export function norlogeDay(p, today) {
  if (!p || !p.month) return "";
  let year = p.year;
  if (!year) {
    const t = String(today);
    year = +t.slice(0, 4);
    if (p.month * 100 + p.day > +t.slice(4, 8)) year--;
  }
  return String(year).padStart(4, "0") + "-" + String(p.month).padStart(2, "0") + "-" + String(p.day).padStart(2, "0");
}

/**
 * newRows keeps, of the ids of a page of older messages, those the list does
 * not show yet (a message may sit on both sides of a page's edge when
 * messages were removed meanwhile).
 */
export function newRows(pageIDs, shownIDs) {
  const shown = new Set(shownIDs.map(Number));
  return pageIDs.map(Number).filter((id) => id > 0 && !shown.has(id));
}

/** norlogeTarget picks where a click on a norloge goes when the page lacks its message. */
export function norlogeTarget(root, p, row, today) {
  const day = norlogeDay(p, today);
  if (day && row) return root + "archives/" + day + "/#m" + row.id;
  if (day) return root + "archives/" + day + "/";
  if (row) return root + "message/" + row.id + "/";
  return "";
}

function config(section) {
  try {
    return JSON.parse(section.dataset.config || "{}");
  } catch {
    return {};
  }
}

function rowsOf(list) {
  return Array.from(list.querySelectorAll("li.message[data-id]:not(.pending)"));
}

function candidates(list) {
  return rowsOf(list).map((li) => ({ el: li, id: +li.dataset.id, created: li.dataset.created || "", index: +li.dataset.index || 1 }));
}

function todayStamp() {
  const d = new Date();
  return d.getFullYear() * 10000 + (d.getMonth() + 1) * 100 + d.getDate();
}

function flash(li) {
  li.scrollIntoView({ block: "center" });
  li.classList.add("target");
  setTimeout(() => li.classList.remove("target"), 2000);
}

class History {
  constructor(section) {
    this.section = section;
    this.cfg = config(section);
    this.list = document.getElementById("messages");
    // The channel's root: the board posts there; history pages only have
    // the clock finder's URL.
    this.root = this.cfg.postURL || (this.cfg.clockURL || "").replace(/clock\/$/, "");
    this.loading = false;
  }

  start() {
    if (!this.list) return;
    this.bindNorloges();
    const selected = this.section.dataset.selected;
    const hash = /^#m\d+$/.test(location.hash) ? document.getElementById(location.hash.slice(1)) : null;
    if (selected) {
      const li = document.getElementById("m" + selected);
      if (li) li.scrollIntoView({ block: "center" });
    } else if (hash) {
      flash(hash);
    }
    if (!this.section.dataset.history) this.startBoard();
  }

  // The board: permalinks on rows added live, older pages at the top.
  startBoard() {
    // The row menu (rowmenu.js) copies a row's permalink: what a reader
    // pastes elsewhere. Without a clipboard (a page served over plain
    // HTTP), it opens the permalink instead.
    const menu = window.tribune && window.tribune.rowMenu;
    const board = window.tribune && window.tribune.board;
    if (menu && this.root) {
      menu.add({
        key: "copy-link",
        label: board ? board.t("history.copy_link") : "Copy link",
        show: (li) => !!li.dataset.id && !li.classList.contains("pending"),
        run: (li) => {
          const url = new URL(this.root + "message/" + li.dataset.id + "/", location.href).href;
          if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).catch(() => (location.href = url));
          else location.href = url;
        },
      });
    }
    const permalinks = (root) => {
      for (const li of root.querySelectorAll ? root.querySelectorAll("li.message[data-id]") : []) this.permalink(li);
    };
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (n.matches("li.message[data-id]")) this.permalink(n);
          else permalinks(n);
        }
      }
    }).observe(this.list, { childList: true });
    this.olderBox = document.getElementById("older");
    const link = document.getElementById("older-link");
    if (!link) return;
    link.addEventListener("click", (e) => {
      e.preventDefault();
      this.loadOlder();
    });
    // Scrolling up to the top loads the next older page.
    let lastY = window.scrollY;
    window.addEventListener(
      "scroll",
      () => {
        const up = window.scrollY < lastY;
        lastY = window.scrollY;
        if (up && window.scrollY < 200) this.loadOlder();
      },
      { passive: true },
    );
  }

  permalink(li) {
    if (li.classList.contains("pending") || li.querySelector(":scope > a.permalink") || !this.root) return;
    const model = this.list.querySelector("a.permalink");
    const a = document.createElement("a");
    a.className = "permalink";
    a.href = this.root + "message/" + li.dataset.id + "/";
    a.textContent = "#";
    if (model) {
      a.title = model.title;
      a.setAttribute("aria-label", model.getAttribute("aria-label") || "");
    }
    li.append(a);
  }

  async loadOlder() {
    const link = document.getElementById("older-link");
    if (this.loading || !link) return;
    this.loading = true;
    this.olderBox.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(link.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!res.ok) throw new Error(String(res.status));
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const list = doc.getElementById("messages");
      const rows = list ? rowsOf(list) : [];
      const keep = new Set(newRows(rows.map((li) => li.dataset.id), rowsOf(this.list).map((li) => li.dataset.id)));
      const added = rows.filter((li) => keep.has(+li.dataset.id)).map((li) => document.importNode(li, true));
      // Keep what the reader looks at in place while rows go in above it.
      const before = document.documentElement.scrollHeight;
      const empty = document.getElementById("empty");
      if (empty) empty.remove();
      this.list.prepend(...added);
      window.scrollBy(0, document.documentElement.scrollHeight - before);
      this.list.dispatchEvent(new CustomEvent("tribune:older", { detail: added }));
      const next = doc.getElementById("older-link");
      if (next) link.href = next.href;
      else this.olderBox.remove();
    } catch (err) {
      console.error("tribune history:", err);
    } finally {
      this.loading = false;
      if (this.olderBox.isConnected) this.olderBox.removeAttribute("aria-busy");
    }
  }

  // A click on a norloge jumps to what it points to: on the page, or found
  // by the clock finder (a dated norloge to another day goes to that day's
  // archive).
  bindNorloges() {
    this.list.addEventListener("click", async (e) => {
      const sp = e.target.closest("span.pointer");
      if (!sp || !this.list.contains(sp) || e.target.closest("a")) return;
      const p = parseNorloge(sp.textContent);
      if (!p || p.bouchot) return;
      const owner = sp.closest("li.message[data-id]");
      const ownerID = owner ? +owner.dataset.id : 0;
      const here = resolveNorloge(p, candidates(this.list), ownerID);
      if (here.length) {
        flash(here[here.length - 1].el);
        return;
      }
      if (!this.cfg.clockURL) return;
      let rows = [];
      try {
        const clock = sp.textContent.trim().replace(/@\w*$/, "");
        const res = await fetch(this.cfg.clockURL + encodeURIComponent(clock) + "/", {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (res.ok) rows = await res.json();
      } catch {
        rows = [];
      }
      const cands = (Array.isArray(rows) ? rows : []).map((r) => ({
        id: +r.id,
        created: String(r.created || ""),
        index: +r.clock_indice || 1,
      }));
      const found = resolveNorloge(p, cands, ownerID);
      const target = norlogeTarget(this.root, p, found[found.length - 1], todayStamp());
      if (target) location.assign(target);
    });
  }
}

if (typeof document !== "undefined") {
  const section = document.getElementById("board");
  if (section) {
    try {
      new History(section).start();
    } catch (err) {
      console.error("tribune history:", err);
    }
  }
}
