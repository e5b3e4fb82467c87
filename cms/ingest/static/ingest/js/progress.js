// Follows an ingest run in place: the bar and counts update; the page reloads once at the end.
(function () {
  const box = document.querySelector("[data-ingest-status]");
  if (!box) return;
  const url = box.dataset.ingestStatus;
  const bar = box.querySelector("progress");
  const label = box.querySelector("[data-ingest-label]");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        if (data.total) {
          bar.max = data.total;
          bar.value = data.processed;
        }
        label.textContent = data.processed + " / " + (data.total || "?") + " (" + data.percent + " %)";
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(tick, 1500);
        }
      })
      .catch(() => window.setTimeout(tick, 5000));
  }
  window.setTimeout(tick, 1000);
})();
