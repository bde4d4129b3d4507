// multi.js: several channels of the tribune on one screen (multi/?c=a,b).
//
// One list, each message with its channel's colour and alias; live through
// one stream (multi/stream/); posting to the channel chosen in the
// selector, or to the one named by "@alias " at the start of the message;
// norloges resolve in their own channel, or in the one their "@alias"
// names. The norloge functions are board.js's, imported (its fingerprinted
// address comes in data-lib; importing it starts no board here).

const section = document.getElementById("multi");

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

async function start() {
  const lib = await import(section.dataset.lib);
  let cfg = {};
  try {
    cfg = JSON.parse(section.dataset.config || "{}");
  } catch {
    cfg = {};
  }
  const strings = cfg.strings || {};
  const t = (key, ...args) => lib.format(strings[key] === undefined ? key : strings[key], ...args);
  const channels = cfg.channels || [];
  const bySlug = new Map(channels.map((c) => [c.slug, c]));
  const byAlias = new Map(channels.map((c) => [c.alias.toLowerCase(), c]));
  const list = document.getElementById("messages");
  const form = document.getElementById("post-form");
  const input = document.getElementById("content");
  const select = document.getElementById("post-channel");
  const postError = document.getElementById("post-error");
  const postNotice = document.getElementById("post-notice");
  const liveState = document.getElementById("live-state");
  const limit = cfg.limit > 0 ? cfg.limit : 50;
  let lastID = Number(cfg.lastID) || 0;
  const parsed = new WeakMap();
  let lit = [];

  document.documentElement.classList.add("js-board");
  const messages = () => list.querySelectorAll("li.message[data-id]");
  const channelOf = (li) => bySlug.get(li.dataset.channel || "");

  // The messages a norloge points to: in its own channel, or in the one
  // its @alias names.
  function resolve(sp) {
    const p = parsed.has(sp) ? parsed.get(sp) : lib.parseNorloge(sp.textContent);
    if (!p) return [];
    const owner = sp.closest("li.message");
    let target = owner ? channelOf(owner) : null;
    if (p.bouchot) target = byAlias.get(String(p.bouchot).toLowerCase());
    if (!target) return [];
    const cands = [];
    for (const li of messages()) {
      if ((li.dataset.channel || "") !== target.slug) continue;
      cands.push({ el: li, id: +li.dataset.id, created: li.dataset.created || "", index: +li.dataset.index || 1 });
    }
    const norloge = { ...p, bouchot: "" };
    return lib.resolveNorloge(norloge, cands, owner ? +owner.dataset.id : 0).map((c) => c.el);
  }

  function decorate(li) {
    const content = li.querySelector(".content");
    if (!content) return;
    for (const a of content.querySelectorAll("a.external, a.smiley")) {
      a.target = "_blank";
      a.rel = "nofollow noopener";
    }
    for (const sp of content.querySelectorAll("span.pointer")) {
      const p = lib.parseNorloge(sp.textContent);
      parsed.set(sp, p);
      sp.tabIndex = 0;
      if (p && p.bouchot) {
        const c = byAlias.get(String(p.bouchot).toLowerCase());
        if (c) sp.classList.add("pointer-channel", "chan-" + c.colour);
        else sp.classList.add("pointer-other");
      }
    }
    const owned = li.classList.contains("owned");
    li.classList.toggle("hail", !owned && lib.hails(content.textContent, [cfg.login, cfg.name]));
  }

  function unlight() {
    for (const e of lit) e.classList.remove("highlighted");
    lit = [];
  }

  function light(sp) {
    unlight();
    if (!sp) return;
    const targets = resolve(sp);
    for (const li of targets) li.classList.add("highlighted");
    lit = targets;
  }

  function buildMessage(slug, row) {
    const c = bySlug.get(slug);
    const login = row.author__username || "";
    const index = +row.clock_indice || 1;
    const created = String(row.created || "");
    const li = el("li", `message chan-${c ? c.colour : 0}` + (row.owned ? " owned" : ""));
    li.id = "m" + row.id;
    Object.assign(li.dataset, {
      id: String(row.id),
      channel: slug,
      created,
      clock: row.clock || "",
      index: String(index),
      login,
    });
    const clock = el("button", "clock");
    clock.type = "button";
    clock.title = t("board.insert_clock");
    clock.append(el("time", "", row.clock || ""));
    if (index > 1) clock.append(el("sup", "", lib.superscript(index)));
    const identity = el("span", "identity " + (login ? "authenticated" : "anonymous"));
    identity.title = row.user_agent || "";
    identity.append(el("span", "alias", c ? c.alias : slug), " ", login ? `<${login}>` : lib.cut(row.user_agent || "", 30));
    const content = el("span", "content");
    content.innerHTML = row.web_render || ""; // sanitized by the server
    li.append(clock, " ", identity, " ", content);
    return li;
  }

  function add(slug, row) {
    if (!row || !Number.isFinite(+row.id) || document.getElementById("m" + row.id)) return;
    const atBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 40;
    const li = buildMessage(slug, row);
    let ref = null;
    const msgs = messages();
    for (let i = msgs.length - 1; i >= 0 && +msgs[i].dataset.id > +row.id; i--) ref = msgs[i];
    list.insertBefore(li, ref);
    document.getElementById("empty")?.remove();
    li.classList.add("fresh");
    lastID = Math.max(lastID, +row.id);
    decorate(li);
    const all = messages();
    for (let i = 0; i < all.length - limit; i++) all[i].remove();
    if (atBottom) window.scrollTo(0, document.documentElement.scrollHeight);
  }

  // The stream: message events carry {c: slug, row}.
  function connect() {
    const es = new EventSource(cfg.streamURL + "&last_id=" + lastID);
    const parse = (ev) => {
      try {
        return JSON.parse(ev.data);
      } catch {
        return null;
      }
    };
    es.onopen = () => {
      liveState.dataset.state = "live";
      liveState.textContent = t("board.live");
    };
    es.onerror = () => {
      liveState.dataset.state = "error";
      liveState.textContent = t("board.refresh_error");
    };
    es.addEventListener("message", (ev) => {
      const d = parse(ev);
      if (d) add(d.c, d.row);
    });
    es.addEventListener("removed", (ev) => {
      const d = parse(ev);
      if (d) document.getElementById("m" + d.id)?.remove();
    });
    es.addEventListener("reset", (ev) => {
      const d = parse(ev);
      if (d && d.reason === "filters") reloadList();
      else window.location.reload(); // too much was missed
    });
  }

  // reloadList reads the list again when the viewer's BaK filters changed
  // (in this tab or another): the page as it is now, its list only, so
  // what is being typed stays; messages that came live meanwhile, with the
  // new filters, are kept.
  let reloading = 0;
  async function reloadList() {
    const mine = ++reloading;
    let doc;
    try {
      const res = await fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!res.ok) return;
      doc = new DOMParser().parseFromString(await res.text(), "text/html");
    } catch {
      return;
    }
    const fresh = doc.getElementById("messages");
    if (!fresh || mine !== reloading) return;
    const items = [...fresh.children];
    const newest = items.reduce((n, li) => Math.max(n, +li.dataset.id || 0), 0);
    const later = [...messages()].filter((li) => +li.dataset.id > newest);
    list.replaceChildren(...items.map((li) => document.importNode(li, true)), ...later);
    if (later.length) document.getElementById("empty")?.remove();
    for (const li of messages()) decorate(li);
  }

  // Clicking a clock inserts its norloge, with @alias when the message is
  // of another channel than the one posted to.
  function insertClock(li) {
    const c = channelOf(li);
    let shared = li.dataset.shared === "true";
    for (const o of messages()) {
      if (o !== li && o.dataset.channel === li.dataset.channel && o.dataset.created === li.dataset.created) shared = true;
    }
    let ref = lib.clockReference(li.dataset.clock, +li.dataset.index || 1, shared);
    const to = target(input.value).channel;
    if (c && to && c.slug !== to.slug) ref += "@" + c.alias;
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? start;
    const before = start > 0 && !/\s/.test(input.value[start - 1]) ? " " : "";
    input.setRangeText(before + ref + " ", start, end, "end");
    input.focus();
  }

  // target reads where a message goes: "@alias " first, else the selector.
  function target(text) {
    const m = /^@(\w+)\s+/u.exec(text);
    const named = m && byAlias.get(m[1].toLowerCase());
    if (named) return { channel: named, text: text.slice(m[0].length) };
    return { channel: bySlug.get(select.value) || channels[0], text };
  }

  // newCaptcha shows the fresh captcha an answer brings (one try each).
  function newCaptcha(id) {
    const fs = document.getElementById("captcha");
    if (!fs || !cfg.captchaURL) return;
    const base = cfg.captchaURL + encodeURIComponent(id);
    document.getElementById("captcha-image").src = base + ".png";
    document.getElementById("captcha-audio").href = base + ".wav";
    fs.querySelector("input[name=captcha_id]").value = id;
    fs.querySelector("input[name=captcha]").value = "";
  }

  async function post() {
    const raw = input.value;
    if (!raw.trim()) return;
    const { channel, text } = target(raw);
    if (!channel) return;
    postError.textContent = "";
    postNotice.textContent = "";
    let res = null;
    let data = null;
    try {
      // The form's fields (a captcha, when asked for), with the text.
      const body = new URLSearchParams(new FormData(form));
      body.set("content", text);
      body.set("last_id", "0");
      res = await fetch(channel.board, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      data = (res.headers.get("Content-Type") || "").includes("json") ? await res.json() : null;
    } catch {
      postError.textContent = t("board.network_error");
      return;
    }
    if (data && data.captcha) newCaptcha(data.captcha);
    const status = data && data.status;
    if (status === "published" || status === "pending" || status === "command") {
      if (input.value === raw) input.value = "";
      if (data.notice) postNotice.textContent = data.notice;
      // The stream brings the message; mark it ours when it comes.
      if (data.id) {
        const mark = () => document.getElementById("m" + data.id)?.classList.add("owned");
        mark();
        setTimeout(mark, 1500);
      }
      return;
    }
    postError.textContent = (data && data.error) || t("error.internal");
  }

  for (const li of messages()) decorate(li);
  list.addEventListener("click", (e) => {
    const btn = e.target.closest("button.clock");
    const li = btn && btn.closest("li.message[data-id]");
    if (li) insertClock(li);
  });
  let hovered = null;
  list.addEventListener("mouseover", (e) => {
    const sp = e.target.closest("span.pointer");
    if (sp !== hovered) {
      hovered = sp;
      light(sp);
    }
  });
  list.addEventListener("mouseleave", () => {
    hovered = null;
    unlight();
  });
  list.addEventListener("focusin", (e) => light(e.target.closest("span.pointer")));
  list.addEventListener("focusout", () => unlight());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    post();
  });
  // The selector follows an @alias typed first, so the choice shows.
  input.addEventListener("input", () => {
    const m = /^@(\w+)\s/u.exec(input.value);
    const c = m && byAlias.get(m[1].toLowerCase());
    if (c) select.value = c.slug;
  });
  window.scrollTo(0, document.documentElement.scrollHeight);
  if (typeof window.EventSource === "function") connect();
}

if (section) {
  start().catch((err) => console.error("tribune multi:", err));
}
