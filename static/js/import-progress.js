// Live progress of the dashboard's import card: polls /api/sync-events/{id}/ (session auth)
// while the import is queued or running and updates the card in place. When the import ends,
// the cards an import changes (the Spotify card's counts, this card, and the What next card
// that appears after the first completed import) are swapped for those of a fresh copy of the
// page, once: the server renders them as on a reload, so no count is worked out twice, here
// and in the templates (the insights cards do the same). Without this script the page is
// still complete; it only stops changing until the next page load.
(function () {
  "use strict";

  var ACTIVE = ["queued", "running"];
  var INTERVAL_MS = 1500;
  var MAX_FAILURES = 10;
  var SWAPPED = ["connection", "import", "next-steps"]; // ids, in page order

  var card = document.getElementById("import");

  function part(role) {
    return card.querySelector('[data-role="' + role + '"]');
  }

  var BADGE_CLASS = { succeeded: "ok", failed: "bad", cancelled: "bad" };
  var STATUS_LABEL = {
    queued: "Queued",
    running: "Running",
    succeeded: "Done",
    failed: "Failed",
    cancelled: "Cancelled"
  };

  function render(event) {
    var badge = part("badge");
    if (badge) {
      badge.textContent = STATUS_LABEL[event.status] || event.status;
      badge.className = "badge " + (BADGE_CLASS[event.status] || "warn");
    }
    var summary = part("summary");
    if (summary) {
      window.showWholeDates(summary, event.summary);
    }
    var bar = part("bar");
    if (bar) {
      // A queued import that started already is between two turns (or paused): its bar stays.
      bar.hidden = !(event.status === "running" || (event.status === "queued" && event.started_at));
      if (event.progress.playlists_total > 0) {
        bar.max = event.progress.playlists_total;
        bar.value = event.progress.playlists_done;
      } else {
        bar.removeAttribute("value"); // indeterminate until the playlists are counted
      }
      bar.textContent = event.progress.percent + "%";
    }
    var retryable = event.status === "failed" || event.status === "cancelled";
    var error = part("error");
    if (error) {
      error.textContent = event.error;
      error.hidden = !(retryable && event.error);
    }
    var retry = part("retry");
    if (retry) {
      retry.action = card.dataset.retryUrl.replace("/0/retry/", "/" + event.id + "/retry/");
      retry.hidden = !retryable;
    }
    var cancel = part("cancel");
    if (cancel) {
      cancel.hidden = event.status !== "queued"; // only a run that has not started can be cancelled
    }
    card.dataset.status = event.status;
  }

  // The page again, for the cards an ended import changed. A card the fresh page has and this
  // one lacks (What next, after the first import) goes after the card before it.
  function refreshCards() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (!fresh.getElementById("import")) {
          return; // not the dashboard (signed out meanwhile): keep what is shown
        }
        // Keyboard focus inside a swapped card (on "Sync now", say) goes to its match in the new
        // card, not to the top of the page.
        var focused = document.activeElement;
        var refocus = null;
        var previous = null;
        SWAPPED.forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (now && focused && focused !== document.body && now.contains(focused)) {
            var holder = focused.closest("[data-role]");
            refocus = "#" + id + (holder && now.contains(holder) ? ' [data-role="' + holder.dataset.role + '"]' : "");
            refocus += " " + focused.tagName.toLowerCase();
          }
          if (now && next) {
            now.replaceWith(next);
          } else if (now) {
            now.remove();
          } else if (next && previous) {
            previous.after(next);
          }
          previous = next || previous;
        });
        var target = refocus && document.querySelector(refocus);
        if (target) {
          target.focus({ preventScroll: true });
        }
        card = document.getElementById("import");
        start(); // another import may have been queued meanwhile
      })
      .catch(function () {
        /* the card says Done already; the rest waits for the next load */
      });
  }

  var failures = 0;

  function poll() {
    fetch(card.dataset.eventUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 404) {
          throw new Error("stop"); // signed out, or the event is gone: nothing more to show
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (event) {
        failures = 0;
        render(event);
        if (ACTIVE.indexOf(event.status) !== -1) {
          window.setTimeout(poll, INTERVAL_MS);
        } else {
          refreshCards();
        }
      })
      .catch(function (error) {
        failures += 1;
        if (error.message !== "stop" && failures < MAX_FAILURES) {
          window.setTimeout(poll, INTERVAL_MS * failures); // back off while the server is away
        }
      });
  }

  function start() {
    if (card && card.dataset.eventUrl && ACTIVE.indexOf(card.dataset.status) !== -1) {
      failures = 0;
      window.setTimeout(poll, INTERVAL_MS);
    }
  }

  start();
})();
