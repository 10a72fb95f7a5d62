// The filter editor of a child playlist. It turns the form's JSON textarea (name="filters")
// into rows built from the registry's field descriptions (#filter-fields: each field's
// operators and widget; the value widgets are filter-widgets.js), writes the document back
// into the textarea on every change (that is what the form posts) and announces it with a
// "filter-editor:change" event (filter-preview.js counts the draft's tracks).
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
  // [[dotted path, message]] from the last refused save; shown on the rows until the first edit.
  var serverErrors = readJson("filter-error-list") || [];
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

  // --- rows -----------------------------------------------------------------------------------
  function errorsAt(path) {
    return serverErrors.filter(function (pair) {
      return pair[0] === path || pair[0].indexOf(path + ".") === 0;
    });
  }

  function errorList(path) {
    var found = errorsAt(path);
    if (!found.length) {
      return null;
    }
    return el(
      "ul",
      { class: "row-errors" },
      found.map(function (pair) {
        return el("li", {}, [el("code", { text: pair[0] }), ": " + pair[1]]);
      })
    );
  }

  function structural() {
    serverErrors = []; // indexes move: old messages would point at the wrong rows
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
      row.appendChild(valueWidget(field, condition));
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
    var errors = errorList(path);
    if (errors) {
      row.appendChild(errors);
    }
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
    var errors = errorList(path);
    if (errors && !group.conditions.length) {
      box.appendChild(errors);
    }
    return box;
  }

  var jsonToggle = button("Edit as JSON", function () {
    jsonBox.hidden = !jsonBox.hidden;
    jsonToggle.textContent = jsonBox.hidden ? "Edit as JSON" : "Hide the JSON";
  });

  function render(fromTextarea) {
    editorBox.textContent = "";
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
    changed(fromTextarea);
  }

  // --- the document ---------------------------------------------------------------------------
  function changed(fromTextarea) {
    if (!fromTextarea) {
      textarea.value = JSON.stringify(doc, null, 2);
    }
    form.dispatchEvent(new CustomEvent("filter-editor:change", { detail: { document: doc } }));
  }

  textarea.addEventListener("input", function () {
    try {
      var parsed = JSON.parse(textarea.value);
      if (isGroup(parsed)) {
        doc = parsed;
        serverErrors = [];
        render(true);
      }
    } catch (error) {
      // Mid-typing: the rows wait for a whole document.
    }
  });

  editorBox.hidden = false;
  jsonBox.hidden = true;
  render();
})();
