// Live progress of the history page's import card: polls /api/history/imports/{id} (session
// auth) while the import is queued or running and updates the card in place; when it ends, the
// page is loaded again once, so the plays it added show. Without this script the card is still
// complete; it only stops changing until the next page load.
(function () {
  "use strict";

  var ACTIVE = ["queued", "running"];
  var INTERVAL_MS = 1500;
  var MAX_FAILURES = 10;
  var LABEL = { queued: "Queued", running: "Running", succeeded: "Done", failed: "Failed", cancelled: "Cancelled" };
  var BADGE = { succeeded: "ok", failed: "bad", cancelled: "bad" };

  var card = document.getElementById("history-import");
  if (!card || !card.dataset.importUrl || ACTIVE.indexOf(card.dataset.status) < 0) {
    return;
  }
  var failures = 0;

  function part(role) {
    return card.querySelector('[data-role="' + role + '"]');
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function render(run) {
    var badge = part("badge");
    badge.textContent = LABEL[run.status] || run.status;
    badge.className = "badge " + (BADGE[run.status] || "warn");
    var bar = part("bar");
    if (run.rows_read > 0) {
      bar.value = run.percent;
    } else {
      bar.removeAttribute("value"); // indeterminate until the first batch is in
    }
    bar.textContent = run.percent + "%";
    bar.hidden = ACTIVE.indexOf(run.status) < 0;
    part("counts").textContent = !run.checked && ACTIVE.indexOf(run.status) >= 0
      ? "Checking the whole file before anything is stored…"
      : run.rows_read + " of " + run.total_rows + " rows read: " +
        plural(run.plays_added, "play") + " added, " + run.already_known + " already here, " +
        run.unmatched + " kept by name only.";
    var error = part("error");
    error.textContent = run.error;
    error.hidden = !(run.status === "failed" && run.error);
  }

  function poll() {
    fetch(card.dataset.importUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (run) {
        failures = 0;
        render(run);
        if (ACTIVE.indexOf(run.status) >= 0) {
          window.setTimeout(poll, INTERVAL_MS);
        } else if (run.status === "succeeded") {
          window.location.reload();
        }
      })
      .catch(function () {
        failures += 1;
        if (failures < MAX_FAILURES) {
          window.setTimeout(poll, INTERVAL_MS * failures);
        }
      });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
