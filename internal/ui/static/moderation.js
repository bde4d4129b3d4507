// The moderation page: keeps the size of the queue live and offers to
// reload it when messages arrive. The page works without it.
const page = document.getElementById("moderation");
const size = document.getElementById("queue-size");
const reload = document.getElementById("new-pending");

if (page && size && window.EventSource) {
  const initial = Number(size.dataset.count);
  const template = size.dataset.template || "";
  const stream = new EventSource(page.dataset.streamUrl);
  stream.addEventListener("pending", (event) => {
    let count;
    try {
      count = JSON.parse(event.data).pending;
    } catch {
      return;
    }
    size.textContent = template.replace(/\d+/, String(count));
    for (const badge of document.querySelectorAll(".pending-count")) {
      badge.dataset.pending = String(count);
      badge.textContent = count > 0 ? String(count) : "";
    }
    if (reload) {
      reload.hidden = count === initial;
    }
  });
}
