// The filter editor of a child playlist. It turns the form's JSON textarea (name="filters")
// into rows built from the registry's field descriptions (#filter-fields: each field's
// operators and widget; the value widgets are filter-widgets.js), writes the document back
// into the textarea on every change (that is what the form posts) and announces it with a
// "filter-editor:change" event (filter-preview.js counts the draft's tracks; the document is
// null while the JSON typed in the textarea does not parse).
// Problems come worded by the server (routing.filters.wording), the same sentences from the
// live preview ("filter-preview:problems") and from a refused Save (#filter-error-list); each
// is shown under its row, but only once the listener has had a chance to fill that condition
// in: a condition added here stays quiet until its value loses focus (or the form is saved).
// Without this script the textarea is the editor; the server validates either way.
(function () {
  "use strict";

  var form = document.querySelector("[data-filter-editor]");
  var widgets = window.LinernotesFilterWidgets;
  if (!form || !widgets) {
    return;
  }
  var textarea = form.querySelector('textarea[name="filters"]');
  var editorBox = form.querySelector('[data-role="editor"]');
  var jsonBox = form.querySelector('[data-role="json"]');
  if (!textarea || !editorBox || !jsonBox) {
    return;
  }

  function readJson(id) {
    var node = document.getElementById(id);
    try {
      return node ? JSON.parse(node.textContent) : null;
    } catch (error) {
      return null;
    }
  }

  var fields = readJson("filter-fields") || [];
  var choices = readJson("filter-choices") || {};
  // [{path, message}]: the draft's problems as last worded by the server (a refused Save at
  // first, then every preview answer); `pending` while a change has not been counted yet.
  var problems = readJson("filter-error-list") || [];
  var pending = false;
  // Conditions the listener has had a chance to fill in: every condition the page loaded with
  // or the listener typed as JSON; one added with the buttons once its value loses focus.
  var touched = typeof WeakSet === "function" ? new WeakSet() : null;
  var slots = []; // [{path, owner, list}]: the row error lists of the current render
  var fieldByName = {};
  fields.forEach(function (field) {
    fieldByName[field.name] = field;
  });

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function isGroup(item) {
    return isObject(item) && Array.isArray(item.conditions);
  }

  var doc;
  try {
    doc = JSON.parse(textarea.value);
  } catch (error) {
    return; // not JSON (a refused save): the listener fixes it in the textarea, as without script
  }
  if (!isGroup(doc)) {
    return;
  }
  if (doc.match !== "any") {
    doc.match = "all";
  }

  var el = widgets.el;
  var select = widgets.select;
  var button = widgets.button;
  var defaultValue = widgets.defaultValue;
  var valueWidget = widgets.create({
    choices: choices,
    changed: function () {
      changed();
    }
  });

  function newCondition() {
    var field = fields[0];
    return { field: field.name, op: field.operators[0].name, value: defaultValue(field) };
  }

  // --- problems beside their rows -------------------------------------------------------------
  function touch(item) {
    if (touched) {
      touched.add(item);
    }
  }

  function isTouched(item) {
    return !touched || touched.has(item);
  }

  function touchAll() {
    doc.conditions.forEach(function (item) {
      touch(item);
      if (isGroup(item)) {
        item.conditions.forEach(touch);
      }
    });
  }

  // The row a problem belongs to: "conditions.2.conditions.0.value" is the first condition of
  // the group at 2; "match" or "conditions" alone are about the whole document (the preview
  // lists those).
  function rowPath(path) {
    var found = /^conditions\.(\d+)(?:\.conditions\.(\d+))?/.exec(path || "");
    if (!found) {
      return null;
    }
    return "conditions." + found[1] + (found[2] !== undefined ? ".conditions." + found[2] : "");
  }

  function errorSlot(path, owner, isGroupBox) {
    var list = el("ul", { class: "row-errors", "aria-live": "polite", hidden: true });
    slots.push({ path: path, owner: owner, group: isGroupBox, list: list });
    return list;
  }

  function showProblems() {
    slots.forEach(function (slot) {
      // A group's own problem ("add at least one condition to it") follows what the listener
      // just did; a condition's waits until it has been touched.
      var shown = slot.group || isTouched(slot.owner)
        ? problems.filter(function (problem) {
            return rowPath(problem.path) === slot.path;
          })
        : [];
      slot.list.textContent = "";
      shown.forEach(function (problem) {
        slot.list.appendChild(el("li", { text: problem.message }));
      });
      slot.list.hidden = !shown.length;
    });
  }

  function structural() {
    problems = []; // indexes move: old messages would point at the wrong rows
    render();
  }

  function matchSelect(holder, label) {
    return select(label, [["all", "all"], ["any", "any"]], holder.match, function (value) {
      holder.match = value;
      changed();
    });
  }

  function conditionRow(condition, path, siblings) {
    var field = fieldByName[condition.field];
    var options = fields.map(function (known) {
      return [known.name, known.label];
    });
    if (!field) {
      // Saved before the app mode changed (popularity in Development mode): keep it visible.
      options.push([condition.field, condition.field + " (not available here)"]);
    }
    var row = el("div", { class: "condition", "data-path": path });
    row.appendChild(
      select("Field", options, condition.field, function (name) {
        var chosen = fieldByName[name];
        condition.field = chosen.name;
        condition.op = chosen.operators[0].name;
        condition.value = defaultValue(chosen);
        if (touched) {
          touched.delete(condition); // a new, empty value: quiet again until it is filled in
        }
        structural();
      })
    );
    if (field) {
      var ops = field.operators.map(function (op) {
        return [op.name, op.label];
      });
      if (field.operators.length === 1) {
        row.appendChild(el("span", { text: field.operators[0].label }));
      } else {
        row.appendChild(
          select("Operator", ops, condition.op, function (name) {
            condition.op = name;
            changed();
          })
        );
      }
      var value = el("span", { class: "condition-value" }, [valueWidget(field, condition)]);
      value.addEventListener("focusout", function () {
        touch(condition);
        if (!pending) {
          showProblems(); // else the answer to the pending change shows them, not an older one
        }
      });
      row.appendChild(value);
      if (field.help_text) {
        row.title = field.help_text;
      }
    }
    row.appendChild(
      button("Remove", function () {
        siblings.splice(siblings.indexOf(condition), 1);
        structural();
      }, { "aria-label": "Remove this condition" })
    );
    row.appendChild(errorSlot(path, condition, false));
    return row;
  }

  function groupBox(group, path, siblings) {
    if (group.match !== "any") {
      group.match = "all";
    }
    var box = el("div", { class: "group", "data-path": path });
    box.appendChild(
      el("div", { class: "row-actions" }, [
        "A group: ",
        matchSelect(group, "Group match"),
        " of these",
        button("Remove group", function () {
          siblings.splice(siblings.indexOf(group), 1);
          structural();
        })
      ])
    );
    group.conditions.forEach(function (condition, index) {
      box.appendChild(conditionRow(condition, path + ".conditions." + index, group.conditions));
    });
    box.appendChild(
      el("div", {}, [
        button("Add a condition to the group", function () {
          group.conditions.push(newCondition());
          structural();
        })
      ])
    );
    box.appendChild(errorSlot(path, group, true));
    return box;
  }

  var jsonToggle = button("Edit as JSON", function () {
    jsonBox.hidden = !jsonBox.hidden;
    jsonToggle.textContent = jsonBox.hidden ? "Edit as JSON" : "Hide the JSON";
  });

  function render(fromTextarea) {
    editorBox.textContent = "";
    slots = [];
    editorBox.appendChild(
      el("p", {}, ["A track goes to this child when it matches ", matchSelect(doc, "Match"), " of these conditions:"])
    );
    doc.conditions.forEach(function (item, index) {
      var path = "conditions." + index;
      editorBox.appendChild(isGroup(item) ? groupBox(item, path, doc.conditions) : conditionRow(item, path, doc.conditions));
    });
    if (!doc.conditions.length) {
      editorBox.appendChild(
        el("p", {
          class: "hint",
          text: doc.match === "all"
            ? "No conditions: every track of the base goes to this child."
            : "Add at least one condition (or match all to take every track)."
        })
      );
    }
    editorBox.appendChild(
      el("div", { class: "row-actions" }, [
        button("Add a condition", function () {
          doc.conditions.push(newCondition());
          structural();
        }),
        button("Add a group", function () {
          doc.conditions.push({ match: "any", conditions: [newCondition()] });
          structural();
        }),
        jsonToggle
      ])
    );
    showProblems();
    changed(fromTextarea);
  }

  // --- the document ---------------------------------------------------------------------------
  function announce(draft) {
    pending = draft !== null; // null: nothing to count, so no answer will come
    form.dispatchEvent(new CustomEvent("filter-editor:change", { detail: { document: draft } }));
  }

  function changed(fromTextarea) {
    if (!fromTextarea) {
      textarea.value = JSON.stringify(doc, null, 2);
    }
    announce(doc);
  }

  textarea.addEventListener("input", function () {
    var parsed;
    try {
      parsed = JSON.parse(textarea.value);
    } catch (error) {
      // Mid-typing: the rows wait for a whole document, and the preview says it cannot count.
      announce(null);
      return;
    }
    if (isGroup(parsed)) {
      doc = parsed;
      problems = [];
      touchAll(); // typed by the listener: its problems may show at once
      render(true);
    } else {
      announce(parsed); // not filters at all: the server says what is wrong with it
    }
  });

  form.addEventListener("filter-preview:problems", function (event) {
    pending = false;
    if (event.detail.problems) {
      problems = event.detail.problems; // null: the preview failed and knows nothing new
    }
    showProblems();
  });

  form.addEventListener("submit", function () {
    touchAll(); // on Save every problem counts (the server's answer lists them all)
    showProblems();
  });

  touchAll(); // the conditions the page loaded with: saved, or refused by a Save just now
  editorBox.hidden = false;
  jsonBox.hidden = true;
  render();
})();
