// Live preview of the filter editor's draft: on every change filter-editor.js announces, post
// the draft to the preview API (session cookie + X-CSRFToken) with read_children=false and show
// "matches N of M tracks" for the draft and its siblings; "Preview changes" asks again with
// read_children=true and lists, per child, the tracks a route would add and remove.
// The preview never looks artists up on Spotify: when a genre filter's counts lacked some
// artists, the answer says so ("12 artists not looked up yet; counts will update") and their
// lookup runs in the background; this polls the base's metadata state meanwhile and asks for
// the preview again once the lookup is done, so the counts update by themselves.
// A draft that cannot be counted (the server refuses it, or the JSON does not parse) never
// leaves an older count on show: the counts give way to "Count unavailable…". The server's
// sentences for a refused draft go to the editor ("filter-preview:problems"), which shows each
// beside its condition; only those about the whole document are listed here.
(function () {
  "use strict";

  var form = document.querySelector("[data-filter-editor]");
  var widgets = window.LinernotesFilterWidgets;
  if (!form || !widgets) {
    return;
  }
  var el = widgets.el;
  var latest = null; // the draft document, as the editor last announced it

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  var preview = form.querySelector('[data-role="preview"]');
  var previewUrl = form.dataset.previewUrl;
  var metadataUrl = form.dataset.metadataUrl;
  var POLL_MS = 2000;
  var POLL_LIMIT = 150; // five minutes; after that the next edit asks again
  var AUTO_LIMIT = 3; // previews asked for by the lookup finishing, between two edits
  var pollTimer = null;
  var autoPreviews = 0;
  var lastReadChildren = false;
  var childId = Number(form.dataset.childId);
  var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
  var timer = null;
  var sequence = 0;
  var controller = null;

  function part(role) {
    return preview ? preview.querySelector('[data-role="' + role + '"]') : null;
  }

  function currentMode() {
    var checked = form.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : "rebuild";
  }

  function schedulePreview() {
    if (!preview || !previewUrl || latest === null) {
      return;
    }
    autoPreviews = 0;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      requestPreview(false);
    }, 500);
  }

  // The messages of a refusal that is not about the filters (a DRF field error): no paths.
  function messagesOf(node, out) {
    if (Array.isArray(node)) {
      node.forEach(function (item) {
        messagesOf(item, out);
      });
    } else if (isObject(node)) {
      Object.keys(node).forEach(function (key) {
        messagesOf(node[key], out);
      });
    } else if (typeof node === "string") {
      out.push(node);
    }
    return out;
  }

  // No number on show that is not this draft's: the counts and changes give way to `why`.
  function unavailable(why, lines) {
    var line = part("draft-count");
    if (line) {
      line.textContent = why;
    }
    ["sibling-counts", "changes"].forEach(function (role) {
      var stale = part(role);
      if (stale) {
        stale.textContent = "";
      }
    });
    showNote(null);
    var box = part("preview-error");
    if (box) {
      box.textContent = (lines || []).join(" ");
      box.hidden = !(lines && lines.length);
    }
  }

  function tellEditor(problems) {
    form.dispatchEvent(new CustomEvent("filter-preview:problems", { detail: { problems: problems } }));
  }

  function showError(status, body) {
    if (status === 400 && Array.isArray(body.problems)) {
      tellEditor(body.problems);
      // Problems of one condition show beside it; the document's own ones (no condition) here.
      var whole = body.problems
        .filter(function (problem) {
          return !/^conditions\.\d/.test(problem.path);
        })
        .map(function (problem) {
          return problem.message;
        });
      unavailable(
        whole.length
          ? "Count unavailable until the problem below is fixed."
          : "Count unavailable until every condition is complete and valid.",
        whole
      );
      return;
    }
    tellEditor(null);
    if (status === 400) {
      unavailable("Count unavailable until the problem below is fixed.", messagesOf(body, []));
    } else if (body && body.detail) {
      unavailable("Count unavailable right now.", [body.detail]);
    } else {
      unavailable("Count unavailable right now.", [
        "The preview is not available right now" + (status ? " (HTTP " + status + ")" : "") + "."
      ]);
    }
  }

  function tracks(count) {
    return count + (count === 1 ? " track" : " tracks");
  }

  function counts(body) {
    var total = body.base_tracks;
    var draft = body.draft;
    (body.children || []).forEach(function (child) {
      if (!draft && child.child_id === childId) {
        draft = child;
      }
    });
    var line = part("draft-count");
    if (line && draft) {
      line.textContent =
        "This draft matches " + draft.matching + " of " + tracks(total) + " of the base." +
        (draft.genre_note ? " By genre: " + draft.genre_note + "." : "");
    }
    var list = part("sibling-counts");
    if (list) {
      list.textContent = "";
      (body.children || []).forEach(function (child) {
        if (child.child_id !== childId) {
          list.appendChild(
            el("li", {
              text:
                child.name + ": matches " + child.matching + " of " + tracks(total) +
                (child.genre_note ? " (by genre: " + child.genre_note + ")" : ""),
            })
          );
        }
      });
      if (list.childNodes.length && form.dataset.firstMatchOnly === "true") {
        list.appendChild(
          el("li", { class: "hint", text: "Each track goes only to the first matching child, so the order counts." })
        );
      }
    }
  }

  function trackList(title, tracks) {
    if (tracks === null || tracks === undefined) {
      return null;
    }
    if (!Array.isArray(tracks)) {
      return el("p", { text: title + ": " + tracks });
    }
    var shown = tracks.slice(0, 50).map(function (track) {
      var text = typeof track === "string" ? track : track.name + (track.artists ? " — " + track.artists : "");
      return el("li", { text: text });
    });
    if (tracks.length > shown.length) {
      shown.push(el("li", { class: "hint", text: "and " + (tracks.length - shown.length) + " more" }));
    }
    return el("div", {}, [el("strong", { text: title + " (" + tracks.length + ")" }), el("ul", {}, shown)]);
  }

  function changes(body) {
    var box = part("changes");
    if (!box) {
      return;
    }
    box.textContent = "";
    (body.children || []).forEach(function (child) {
      var mine = child.child_id === childId;
      var heading = (mine ? "This child (draft)" : child.name) + " — holds " +
        (child.current === null || child.current === undefined ? "?" : child.current) +
        " now, would hold the " + child.matching + " matching";
      box.appendChild(el("h3", { text: heading }));
      [trackList("Would add", child.add), trackList("Would remove", child.remove)].forEach(function (node) {
        if (node) {
          box.appendChild(node);
        }
      });
      if (Array.isArray(child.add) && Array.isArray(child.remove) && !child.add.length && !child.remove.length) {
        box.appendChild(el("p", { class: "hint", text: "Nothing to change." }));
      }
    });
  }

  function showNote(artists) {
    var note = part("metadata-note");
    if (!note) {
      return;
    }
    var text = artists && artists.note ? artists.note : "";
    note.textContent = text;
    note.hidden = !text;
  }

  function stopPolling() {
    window.clearTimeout(pollTimer);
    pollTimer = null;
  }

  // While the artists the counts lacked are looked up in the background: follow the lookup,
  // then count again. Postponed (Spotify's pause) or failed: the note says so, and no polling.
  function followLookup(artists, mine, polls) {
    stopPolling();
    var warmUp = artists && artists.warm_up;
    if (!metadataUrl || !artists || !artists.pending || !warmUp || polls >= POLL_LIMIT) {
      return;
    }
    if (!warmUp.active || warmUp.status === "postponed") {
      return; // failed or paused by Spotify: the note says why and when; the next edit asks again
    }
    pollTimer = window.setTimeout(function () {
      fetch(metadataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (mine !== sequence || !state) {
            return;
          }
          var lookup = state.warm_up;
          var ended = !state.pending || !lookup || !lookup.active || lookup.status === "postponed";
          if (ended && autoPreviews < AUTO_LIMIT) {
            // Count again with what it fetched (all of it, or what it had when it stopped).
            autoPreviews += 1;
            requestPreview(lastReadChildren);
            return;
          }
          showNote(state);
          followLookup(state, mine, polls + 1);
        })
        .catch(function () {
          /* the next edit asks again */
        });
    }, POLL_MS);
  }

  // What the last request counted: the editor announces the same document again when a field
  // merely loses focus (as it does when "Preview changes" is clicked), and counting it again
  // would cancel the preview of the changes on its way.
  var lastSentKey = null;
  function keyOf(filters) {
    return JSON.stringify([filters, currentMode()]);
  }

  function requestPreview(readChildren) {
    stopPolling();
    lastReadChildren = readChildren;
    lastSentKey = keyOf(latest);
    if (controller) {
      controller.abort();
    }
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var mine = ++sequence;
    preview.hidden = false;
    var line = part("draft-count");
    if (line) {
      line.textContent = readChildren ? "Reading the children on Spotify…" : "Counting…";
    }
    var errorBox = part("preview-error");
    if (errorBox) {
      errorBox.hidden = true;
    }
    if (!readChildren) {
      var stale = part("changes");
      if (stale) {
        stale.textContent = "";
      }
    }
    fetch(previewUrl, {
      method: "POST",
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrf ? csrf.value : ""
      },
      body: JSON.stringify({ filters: latest, child: childId, mode: currentMode(), read_children: readChildren })
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return { response: response, body: body };
          });
      })
      .then(function (answer) {
        if (mine !== sequence) {
          return;
        }
        if (!answer.response.ok) {
          showError(answer.response.status, answer.body);
          return;
        }
        tellEditor([]);
        counts(answer.body);
        showNote(answer.body.artists);
        if (readChildren) {
          changes(answer.body);
        }
        followLookup(answer.body.artists, mine, 0);
      })
      .catch(function (error) {
        if (error.name !== "AbortError" && mine === sequence) {
          showError(0, {});
        }
      });
  }

  var previewChanges = part("preview-changes");
  if (previewChanges) {
    previewChanges.addEventListener("click", function () {
      window.clearTimeout(timer);
      requestPreview(true);
    });
  }
  Array.prototype.forEach.call(form.querySelectorAll('input[name="mode"]'), function (radio) {
    radio.addEventListener("change", schedulePreview);
  });
  // filter-editor.js announces every change of the document (and the first, on load).
  form.addEventListener("filter-editor:change", function (event) {
    latest = event.detail.document;
    if (latest === null) {
      // JSON that does not parse: drop what is scheduled or on its way, and say so.
      window.clearTimeout(timer);
      stopPolling();
      sequence += 1;
      if (preview) {
        preview.hidden = false;
      }
      unavailable("Count unavailable until the JSON above is a complete document again.");
      lastSentKey = null;
      return;
    }
    if (keyOf(latest) === lastSentKey) {
      return;
    }
    schedulePreview();
  });
})();
