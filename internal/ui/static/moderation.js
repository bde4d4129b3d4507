// The moderation page: keeps the size of the queue live and offers to
// reload it when messages arrive; decides in place (one message, or the
// selection at once) without reloading; keyboard shortcuts j/k (next,
// previous), x (select), a (accept), r (reject, with the reason typed in
// the row, else the one above the queue). The page works without it.
const page = document.getElementById("moderation");
const size = document.getElementById("queue-size");
const reload = document.getElementById("new-pending");
const status = document.getElementById("queue-status");
const batch = document.getElementById("batch-form");
const table = document.querySelector("table.queue");

let expected = size ? Number(size.dataset.count) : 0; // what the queue holds, after our own decisions

function showCount(count) {
  if (!size) return;
  size.textContent = (size.dataset.template || "").replace(/\d+/, String(count));
  size.dataset.count = String(count);
  for (const badge of document.querySelectorAll(".pending-count")) {
    badge.dataset.pending = String(count);
    badge.textContent = count > 0 ? String(count) : "";
  }
}

if (page && size && window.EventSource) {
  const stream = new EventSource(page.dataset.streamUrl);
  stream.addEventListener("pending", (event) => {
    let count;
    try {
      count = JSON.parse(event.data).pending;
    } catch {
      return;
    }
    showCount(count);
    if (reload) reload.hidden = count <= expected;
  });
}

const rows = () => (table ? [...table.querySelectorAll("tbody tr[data-id]")] : []);
const selected = () => rows().filter((tr) => tr.querySelector("input[name=ids]")?.checked);

function say(msg, isError) {
  if (!status) return;
  status.textContent = msg || "";
  status.classList.toggle("error", !!isError);
}

function countSelection() {
  const out = document.getElementById("batch-count");
  const n = selected().length;
  if (out) out.textContent = n ? `(${n})` : "";
  for (const tr of rows()) tr.classList.toggle("selected", !!tr.querySelector("input[name=ids]")?.checked);
  const all = document.getElementById("select-all");
  if (all) {
    const total = rows().length;
    all.checked = total > 0 && n === total;
    all.indeterminate = n > 0 && n < total;
  }
}

// post sends a form's fields, asking for JSON: {ok, data, text}.
async function post(url, body) {
  try {
    const r = await fetch(url, { method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin" });
    const ct = r.headers.get("Content-Type") || "";
    if (ct.includes("json")) return { ok: r.ok, status: r.status, data: await r.json() };
    return { ok: r.ok, status: r.status, text: (await r.text()).trim() };
  } catch {
    return { ok: false, text: "" };
  }
}

// gone takes decided rows out of the queue, keeping the keyboard's place.
function gone(ids) {
  const list = rows();
  const cur = current();
  let next = null;
  if (cur && ids.includes(+cur.dataset.id)) {
    const after = list.slice(list.indexOf(cur) + 1).find((tr) => !ids.includes(+tr.dataset.id));
    const before = list.slice(0, list.indexOf(cur)).reverse().find((tr) => !ids.includes(+tr.dataset.id));
    next = after || before || null;
  }
  for (const id of ids) document.getElementById("s" + id)?.remove();
  expected = Math.max(0, expected - ids.length);
  if (next) setCurrent(next);
  countSelection();
}

function errorOf(res) {
  return (res.data && res.data.error) || res.text || "error";
}

async function decideOne(form) {
  const tr = form.closest("tr[data-id]");
  const res = await post(form.action, new URLSearchParams(new FormData(form)));
  if (res.ok) {
    gone([+tr.dataset.id]);
    say(page.dataset.decided || "");
  } else {
    say(errorOf(res), true);
    // Decided elsewhere meanwhile (409), or gone (404): not in the queue.
    if (res.status === 409 || res.status === 404) gone([+tr.dataset.id]);
  }
}

async function decideBatch(submitter) {
  const body = new URLSearchParams(new FormData(batch, submitter));
  const res = await post(batch.action, body);
  if (!res.ok) {
    say(errorOf(res), true);
    return;
  }
  const results = (res.data && res.data.results) || [];
  // Decided now, or before by someone else: either way out of the queue.
  gone(results.map((r) => r.id));
  const failed = results.filter((r) => r.status === "error");
  say(
    `${submitter.textContent.trim()}: ${results.length - failed.length}` +
      (failed.length ? ` — ${failed.map((r) => `${r.id}: ${r.error}`).join("; ")}` : ""),
    failed.length > 0,
  );
  if (typeof res.data.pending === "number") showCount(res.data.pending);
}

// The keyboard's place in the queue.
function current() {
  return table && table.querySelector("tbody tr.current");
}

function setCurrent(tr) {
  for (const c of table.querySelectorAll("tbody tr.current")) c.classList.remove("current");
  if (!tr) return;
  tr.classList.add("current");
  tr.querySelector("input[name=ids]")?.focus({ preventScroll: true });
  tr.scrollIntoView({ block: "nearest" });
}

if (page && table) {
  const shortcuts = document.getElementById("queue-shortcuts");
  if (shortcuts) shortcuts.hidden = false;
  const all = document.getElementById("select-all");
  if (all) {
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const tr of rows()) tr.querySelector("input[name=ids]").checked = all.checked;
      countSelection();
    });
  }
  table.addEventListener("change", (e) => {
    if (e.target.matches("input[name=ids]")) countSelection();
  });
  table.addEventListener("submit", (e) => {
    const form = e.target.closest("tr[data-id] form");
    if (!form) return;
    e.preventDefault();
    decideOne(form);
  });
  table.addEventListener("focusin", (e) => {
    const tr = e.target.closest("tbody tr[data-id]");
    if (tr && !tr.classList.contains("current")) {
      for (const c of table.querySelectorAll("tbody tr.current")) c.classList.remove("current");
      tr.classList.add("current");
    }
  });
  if (batch) {
    batch.addEventListener("submit", (e) => {
      e.preventDefault();
      decideBatch(e.submitter || batch.querySelector("button[name=decision]"));
    });
  }
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t.matches && t.matches("input:not([type=checkbox]), textarea, select")) return;
    const list = rows();
    const cur = current();
    const i = cur ? list.indexOf(cur) : -1;
    switch (e.key) {
      case "j":
        setCurrent(list[Math.min(i + 1, list.length - 1)]);
        break;
      case "k":
        setCurrent(list[Math.max(i - 1, 0)]);
        break;
      case "x":
        if (cur) {
          const box = cur.querySelector("input[name=ids]");
          box.checked = !box.checked;
          countSelection();
        }
        break;
      case "a":
        if (cur) decideOne(cur.querySelector("form:not(.reject)"));
        break;
      case "r":
        if (cur) {
          const form = cur.querySelector("form.reject");
          const reason = form.querySelector("input[name=reason]");
          const shared = document.getElementById("batch-reason");
          if (!reason.value && shared) reason.value = shared.value;
          decideOne(form);
        }
        break;
      default:
        return;
    }
    e.preventDefault();
  });
  countSelection();
}
