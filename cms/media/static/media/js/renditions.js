// The renditions page updates itself in place: while a job is queued or running it asks the
// page's JSON status endpoint every few seconds and replaces the rows that changed (and the
// warnings above the table). No inline script: loaded from a file under the CSP.
(function () {
  "use strict";
  var table = document.querySelector("table[data-renditions]");
  if (!table || !window.fetch) {
    return;
  }
  var url = table.getAttribute("data-status-url");
  var alerts = document.querySelector("[data-rendition-alerts]");
  var INTERVAL_MS = 3000;
  var timer = null;

  function rowFor(id) {
    return table.querySelector('tr[data-rendition-id="' + id + '"]');
  }

  function apply(data) {
    (data.rows || []).forEach(function (item) {
      var row = rowFor(item.id);
      if (!row) {
        table.tBodies[0].insertAdjacentHTML("beforeend", item.html);
        return;
      }
      if (
        row.getAttribute("data-status") !== item.status ||
        row.getAttribute("data-progress") !== String(item.progress)
      ) {
        row.outerHTML = item.html;
      }
    });
    if (alerts && typeof data.alerts === "string" && alerts.innerHTML !== data.alerts) {
      alerts.innerHTML = data.alerts;
    }
    table.setAttribute("data-busy", data.busy ? "true" : "false");
  }

  function poll() {
    timer = null;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        apply(data);
        if (data.busy) {
          schedule();
        }
      })
      .catch(function () {
        schedule(); // a lost request: try again later
      });
  }

  function schedule() {
    if (timer === null && !document.hidden) {
      timer = window.setTimeout(poll, INTERVAL_MS);
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && table.getAttribute("data-busy") === "true") {
      schedule();
    }
  });
  if (table.getAttribute("data-busy") === "true") {
    schedule();
  }
})();
