// Live route status on the smart-playlist pages: for every [data-route-status] whose route is
// queued or running, poll GET {data-status-url} (the route-status API, session auth) and update
// the progress bar and texts in place; while a route is active the [data-edit] controls of the
// closest [data-route-scope] stay disabled (the server refuses set-up changes with 409 anyway),
// and they come back when it ends; while disabled, each points at its reason (the visible note
// its data-busy-reason names, as aria-describedby). [data-hide-when-finished] (Cancel) goes
// when the route ends. Without this script the page is complete as served; it only stops
// changing until the next load.
(function () {
  "use strict";

  var ACTIVE = ["queued", "running"];
  var INTERVAL_MS = 1500;
  var MAX_FAILURES = 10;
  var STATUS_LABEL = {
    queued: "Queued",
    running: "Running",
    succeeded: "Done",
    failed: "Failed",
    cancelled: "Cancelled",
    waiting: "Needs your confirmation"
  };

  function when(iso) {
    if (!iso) {
      return "";
    }
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return iso;
    }
    // As the server writes it: "2026-11-22 05:13" (the browser's time zone).
    function two(number) {
      return ("0" + number).slice(-2);
    }
    return date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) + " " +
      two(date.getHours()) + ":" + two(date.getMinutes());
  }

  // As routing.display.counted: "1 child", "2 children".
  function counted(count, singular, plural) {
    return count + " " + (count === 1 ? singular : plural);
  }

  function activeSummary(event) {
    // The server words it (sync.display.describe_event), the same as on the page.
    return event.summary || "";
  }

  function lastSummary(event) {
    var progress = event.progress || {};
    var writes = (event.route && event.route.writes) || (event.details && event.details.writes) || null;
    var moved = "";
    if (writes) {
      var added = 0;
      var removed = 0;
      Object.keys(writes).forEach(function (key) {
        added += Number(writes[key].added || 0);
        removed += Number(writes[key].removed || 0);
      });
      moved = ", " + counted(added, "track", "tracks") + " added, " + removed + " removed";
    }
    // As routing.display.describe_route words it: the badge beside it says the status.
    var at = event.finished_at ? when(event.finished_at) + " — " : "";
    if (event.status === "succeeded") {
      return at + counted(progress.children_done, "child", "children") + " routed" + moved + ".";
    }
    if (event.status === "failed" && !progress.children_total) {
      return at + "stopped before routing any child" + (moved ? " (" + moved.slice(2) + ")" : "") + ".";
    }
    if (event.status === "failed") {
      return at + "stopped after " + progress.children_done + " of " +
        counted(progress.children_total, "child", "children") +
        (moved ? " (" + moved.slice(2) + ")" : "") + ".";
    }
    return at + "cancelled.";
  }

  function follow(box) {
    var scope = box.closest("[data-route-scope]") || document;
    var failures = 0;

    function part(role) {
      return box.querySelector('[data-role="' + role + '"]');
    }

    function show(role, visible) {
      var element = part(role);
      if (element) {
        element.hidden = !visible;
      }
      return element;
    }

    function setEditable(editable) {
      Array.prototype.forEach.call(scope.querySelectorAll("[data-edit]"), function (control) {
        if (control.tagName === "A") {
          if (editable) {
            control.removeAttribute("aria-disabled");
          } else {
            control.setAttribute("aria-disabled", "true");
          }
        } else {
          control.disabled = !editable;
        }
        var reason = control.dataset.busyReason;
        if (reason && editable) {
          control.removeAttribute("aria-describedby");
        } else if (reason) {
          control.setAttribute("aria-describedby", reason);
        }
      });
      Array.prototype.forEach.call(scope.querySelectorAll('[data-role="busy-note"]'), function (note) {
        note.hidden = editable;
      });
    }

    function renderActive(event) {
      show("active", true);
      show("never", false);
      show("finished", false);
      var badge = part("active-badge");
      if (badge) {
        badge.textContent = STATUS_LABEL[event.status] || event.status;
      }
      var summary = part("active-summary");
      if (summary) {
        window.showWholeDates(summary, activeSummary(event));
      }
      var progress = event.progress || {};
      var bar = part("bar");
      if (bar) {
        if (progress.children_total > 0) {
          bar.max = progress.children_total;
          bar.value = progress.children_done;
        } else {
          bar.removeAttribute("value"); // indeterminate until the children are counted
        }
        bar.textContent = (progress.percent || 0) + "%";
      }
      var done = part("children-done");
      if (done) {
        done.textContent = progress.children_total
          ? progress.children_done + " of " + counted(progress.children_total, "child", "children") + " done"
          : "";
      }
      setEditable(false);
    }

    function renderFinished(last) {
      show("active", false);
      if (last) {
        show("last-line", true);
        show("never", false);
        var badge = part("last-badge");
        if (badge) {
          badge.textContent = STATUS_LABEL[last.status] || last.status;
          badge.className = "badge " + (last.status === "succeeded" ? "ok" : "bad");
        }
        var summary = part("last-summary");
        if (summary) {
          window.showWholeDates(summary, lastSummary(last));
        }
        var error = show("last-error", Boolean(last.error));
        if (error) {
          error.textContent = last.error || "";
        }
      }
      show("finished", true);
      Array.prototype.forEach.call(scope.querySelectorAll("[data-hide-when-finished]"), function (node) {
        node.hidden = true; // nothing left to cancel
      });
      setEditable(true);
      box.dataset.active = "false";
    }

    function poll() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 401 || response.status === 403 || response.status === 404) {
            throw new Error("stop"); // signed out, or the base is gone: nothing more to show
          }
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (status) {
          failures = 0;
          if (status.active && status.active.status === "waiting") {
            // The route stopped to ask: the page shows what it would remove, with Confirm and Discard.
            window.location.reload();
            return;
          }
          if (status.active && ACTIVE.indexOf(status.active.status) !== -1) {
            renderActive(status.active);
            window.setTimeout(poll, INTERVAL_MS);
          } else {
            renderFinished(status.last);
          }
        })
        .catch(function (error) {
          failures += 1;
          if (error.message !== "stop" && failures < MAX_FAILURES) {
            window.setTimeout(poll, INTERVAL_MS * failures); // back off while the server is away
          }
        });
    }

    window.setTimeout(poll, INTERVAL_MS);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-route-status]"), function (box) {
    if (box.dataset.statusUrl && box.dataset.active === "true") {
      follow(box);
    }
  });
})();
