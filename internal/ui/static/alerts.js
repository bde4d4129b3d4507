// alerts.js: being told when someone calls you (nick<, moules<) or answers
// one of your messages while the tab is hidden: a desktop notification
// (the browser's Notification API, asked for only when the viewer turns it
// on) and, if chosen, a short sound; and a "new since you left" line in the
// list when you come back. Choices are kept in this browser.

const tribune = (typeof window !== "undefined" && window.tribune) || {};
const board = tribune.board;
const KEY = "tribune.alerts";

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function load() {
  try {
    return { notify: false, sound: false, ...JSON.parse(window.localStorage.getItem(KEY) || "{}") };
  } catch {
    return { notify: false, sound: false };
  }
}

function save(prefs) {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Private mode: the choice lasts the page.
  }
}

if (board && board.list && board.tools) {
  const prefs = load();
  const canNotify = typeof window.Notification === "function";
  let audio = null;

  // beep plays a short two-tone call, made here (no file to fetch).
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const now = audio.currentTime;
      for (const [i, f] of [880, 1175].entries()) {
        const o = audio.createOscillator();
        const g = audio.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, now + i * 0.12);
        g.gain.exponentialRampToValueAtTime(0.15, now + i * 0.12 + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.11);
        o.connect(g).connect(audio.destination);
        o.start(now + i * 0.12);
        o.stop(now + i * 0.12 + 0.12);
      }
      tribune.beeps = (tribune.beeps || 0) + 1;
    } catch {
      // No sound here.
    }
  }

  // The panel: what alerts do, and the two choices.
  const button = el("button", "tool", board.t("board.alerts"));
  button.type = "button";
  button.id = "alerts-toggle";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "alerts-panel");
  const panel = el("div", "alerts-panel");
  panel.id = "alerts-panel";
  panel.hidden = true;
  panel.append(el("p", "alerts-help", board.t("board.alerts_help")));
  const choice = (id, label, checked) => {
    const box = el("input");
    box.type = "checkbox";
    box.id = id;
    box.checked = checked;
    const l = el("label", "alerts-choice");
    l.append(box, " ", label);
    panel.append(l);
    return box;
  };
  const notifyBox = choice("alerts-notify", board.t("board.alerts_notify"), prefs.notify && canNotify && Notification.permission === "granted");
  const soundBox = choice("alerts-sound", board.t("board.alerts_sound"), prefs.sound);
  const say = el("p", "alerts-state");
  say.setAttribute("role", "status");
  panel.append(say);
  if (!canNotify) {
    notifyBox.disabled = true;
    say.textContent = board.t("board.alerts_unsupported");
  }
  button.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
  });
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
  notifyBox.addEventListener("change", async () => {
    prefs.notify = notifyBox.checked;
    say.textContent = "";
    if (prefs.notify && Notification.permission !== "granted") {
      // Asked only now, after the viewer chose it.
      const answer = await Notification.requestPermission();
      if (answer !== "granted") {
        prefs.notify = false;
        notifyBox.checked = false;
        say.textContent = board.t("board.alerts_blocked");
      }
    }
    save(prefs);
  });
  soundBox.addEventListener("change", () => {
    prefs.sound = soundBox.checked;
    save(prefs);
    if (prefs.sound) beep(); // what it sounds like (and unlocks audio)
  });
  board.tools.append(button);
  board.tools.after(panel);

  // New messages: a call or an answer while hidden alerts.
  board.section.addEventListener("tribune:added", (e) => {
    const { rows, fresh } = e.detail || {};
    if (!fresh || !document.hidden) return;
    const calls = rows.filter(
      (li) => !li.classList.contains("owned") && (li.classList.contains("hail") || li.classList.contains("answer")),
    );
    if (!calls.length) return;
    if (prefs.sound) beep();
    if (prefs.notify && canNotify && Notification.permission === "granted") {
      for (const li of calls.slice(-3)) {
        const who = li.querySelector(".identity")?.textContent.trim() || "";
        const text = li.querySelector(".content")?.textContent.trim() || "";
        const n = new Notification(board.t(li.classList.contains("hail") ? "board.alert_hail" : "board.alert_answer", who), {
          body: text.slice(0, 200),
          tag: "tribune-" + li.dataset.id,
        });
        n.onclick = () => {
          window.focus();
          li.scrollIntoView({ block: "center" });
          n.close?.();
        };
      }
    }
  });

  // "New since you left": where the list was when the tab was hidden.
  let seen = 0;
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      for (const li of board.messages()) seen = Math.max(seen, +li.dataset.id || 0);
      return;
    }
    if (!seen) return;
    const first = [...board.messages()].find((li) => +li.dataset.id > seen && !li.classList.contains("owned"));
    seen = 0;
    if (!first) return;
    board.list.querySelector("li.new-since")?.remove();
    const line = el("li", "notice new-since", board.t("board.new_since"));
    line.setAttribute("role", "separator");
    board.list.insertBefore(line, first);
  });
}
