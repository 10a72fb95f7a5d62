// Value widgets of the filter editor, one per widget type the filter registry describes
// ("multi-select", "range", "boolean", "number", "text"; anything else is edited as JSON).
// filter-editor.js builds the rows and calls LinernotesFilterWidgets.create({choices, changed}).
(function () {
  "use strict";

  // --- small DOM helpers --------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") {
        node.textContent = attrs[name];
      } else if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) {
        node.setAttribute(name, attrs[name] === true ? "" : attrs[name]);
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function select(label, options, value, onChange) {
    var node = el("select", { "aria-label": label });
    options.forEach(function (option) {
      var item = el("option", { value: option[0], text: option[1] });
      item.selected = option[0] === value;
      node.appendChild(item);
    });
    node.addEventListener("change", function () {
      onChange(node.value);
    });
    return node;
  }

  function button(text, onClick, extra) {
    var node = el("button", Object.assign({ type: "button", class: "small-button" }, extra || {}), [text]);
    node.addEventListener("click", onClick);
    return node;
  }

  var datalists = {};
  function datalist(name, values) {
    var id = "filter-choices-" + name;
    if (!datalists[id]) {
      var list = el("datalist", { id: id });
      values.forEach(function (value) {
        list.appendChild(el("option", { value: value }));
      });
      document.body.appendChild(list);
      datalists[id] = list;
    }
    return id;
  }


  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // --- values per widget ----------------------------------------------------------------------
  function defaultValue(field) {
    switch (field.widget.type) {
      case "multi-select":
        return [];
      case "range":
        return { min: null, max: null };
      case "boolean":
        return false;
      case "number":
        return null;
      default:
        return "";
    }
  }


  // `choices`: {"artists": [[id, name], …], "genres": [...]} from the base's own tracks;
  // `changed`: called after every edit of a value.
  function create(options) {
    var choices = options.choices || {};
    var changed = options.changed;
    var artistName = {};
    var artistByName = {};
    (choices.artists || []).forEach(function (pair) {
      artistName[pair[0]] = pair[1];
      var key = pair[1].toLowerCase();
      if (!(key in artistByName)) {
        artistByName[key] = pair[0];
      }
    });

    var SPOTIFY_ARTIST = /(?:artist[/:])([A-Za-z0-9]{22})/;
    function resolveArtist(text) {
      var known = artistByName[text.toLowerCase()];
      if (known) {
        return known;
      }
      var link = SPOTIFY_ARTIST.exec(text);
      if (link) {
        return link[1];
      }
      return /^[A-Za-z0-9]{22}$/.test(text) ? text : null;
    }

    function multiWidget(field, condition) {
      var isArtist = field.widget.source === "artists";
      if (!Array.isArray(condition.value)) {
        condition.value = [];
      }
      var suggestions = isArtist
        ? (choices.artists || []).map(function (pair) { return pair[1]; })
        : (field.widget.suggestions || []).concat(
            (field.widget.source && choices[field.widget.source]) || []
          ).filter(function (value, index, all) { return all.indexOf(value) === index; });
      var chips = el("span", { class: "chips" });
      var input = el("input", {
        type: "text",
        list: datalist(field.name, suggestions),
        placeholder: isArtist ? "artist name or Spotify link" : "type, then Enter",
        "aria-label": field.label + ": add a value"
      });
      var note = el("span", { class: "hint", "aria-live": "polite" });

      function draw() {
        Array.prototype.slice.call(chips.querySelectorAll(".chip")).forEach(function (chip) {
          chip.remove();
        });
        condition.value.forEach(function (value, index) {
          var label = isArtist ? artistName[value] || value : value;
          var remove = el("button", { type: "button", "aria-label": "Remove " + label, text: "×" });
          remove.addEventListener("click", function () {
            condition.value.splice(index, 1);
            draw();
            changed();
          });
          chips.insertBefore(el("span", { class: "chip" }, [label, remove]), input);
        });
      }

      function add() {
        var text = input.value.trim();
        if (!text) {
          return;
        }
        // Genre lists may be typed "rock, pop"; artist names may hold commas themselves.
        var parts = isArtist ? [text] : text.split(",");
        var refused = [];
        parts.forEach(function (part) {
          part = part.trim();
          if (!part) {
            return;
          }
          var value = isArtist ? resolveArtist(part) : part.toLowerCase();
          if (!value) {
            refused.push(part);
          } else if (condition.value.indexOf(value) === -1) {
            condition.value.push(value);
          }
        });
        note.textContent = refused.length
          ? "“" + refused.join("”, “") + "” is not an artist of this base: paste the artist's Spotify link."
          : "";
        input.value = refused.join(", ");
        draw();
        changed();
      }

      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || (!isArtist && event.key === ",")) {
          event.preventDefault();
          add();
        }
      });
      input.addEventListener("change", add); // a pick from the list, or leaving the field
      chips.appendChild(input);
      draw();
      return el("span", {}, [chips, " ", button("Add", add), " ", note]);
    }

    function numberInput(field, label, value, onValue) {
      var input = el("input", {
        type: "number",
        min: field.widget.min,
        max: field.widget.max,
        step: field.widget.step || 1,
        placeholder: label,
        "aria-label": field.label + " " + label,
        style: "width: 7rem"
      });
      input.value = value === null || value === undefined ? "" : value;
      input.addEventListener("input", function () {
        onValue(input.value === "" ? null : Number(input.value));
      });
      return input;
    }

    function minutes(seconds) {
      return Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
    }

    function rangeWidget(field, condition) {
      if (!isObject(condition.value)) {
        condition.value = { min: null, max: null };
      }
      var unit = field.widget.unit;
      var hint = el("span", { class: "hint" });
      function explain() {
        // Durations are stored in seconds; listeners read m:ss.
        if (unit === "seconds") {
          var shown = ["min", "max"].map(function (side) {
            var value = condition.value[side];
            return typeof value === "number" && value >= 0 ? minutes(Math.floor(value)) : "…";
          });
          hint.textContent = "(" + shown[0] + " to " + shown[1] + ")";
        }
      }
      function bound(side) {
        return numberInput(field, side === "min" ? "min" : "max", condition.value[side], function (value) {
          condition.value[side] = value;
          explain();
          changed();
        });
      }
      explain();
      var parts = [bound("min"), " and ", bound("max")];
      if (unit && unit !== "year") {
        parts.push(" " + unit);
      }
      parts.push(" ", hint);
      return el("span", {}, parts);
    }

    function booleanWidget(field, condition) {
      condition.value = condition.value === true;
      var box = el("input", { type: "checkbox", "aria-label": field.label });
      box.checked = condition.value;
      var word = el("span", { text: condition.value ? "yes" : "no" });
      box.addEventListener("change", function () {
        condition.value = box.checked;
        word.textContent = box.checked ? "yes" : "no";
        changed();
      });
      return el("label", {}, [box, " ", word]);
    }

    function textWidget(field, condition) {
      var input = el("input", {
        type: "text",
        placeholder: field.widget.placeholder || "",
        "aria-label": field.label + " value"
      });
      input.value = typeof condition.value === "string" ? condition.value : "";
      input.addEventListener("input", function () {
        condition.value = input.value;
        changed();
      });
      return input;
    }

    function selectWidget(field, condition) {
      // One of the field's suggestions; an empty value until one is picked.
      var options = [["", "—"]].concat(
        (field.widget.suggestions || []).map(function (value) {
          return [value, value];
        })
      );
      return select(field.label + " value", options, condition.value, function (value) {
        condition.value = value;
        changed();
      });
    }

    function rawWidget(field, condition) {
      // A widget this script does not know yet: the value as JSON.
      var input = el("input", { type: "text", "aria-label": field.label + " value (JSON)" });
      input.value = JSON.stringify(condition.value);
      input.addEventListener("input", function () {
        try {
          condition.value = JSON.parse(input.value);
        } catch (error) {
          condition.value = input.value;
        }
        changed();
      });
      return input;
    }

    function valueWidget(field, condition) {
      switch (field.widget.type) {
        case "multi-select":
          return multiWidget(field, condition);
        case "range":
          return rangeWidget(field, condition);
        case "boolean":
          return booleanWidget(field, condition);
        case "number":
          var parts = [
            numberInput(field, "number", condition.value, function (value) {
              condition.value = value;
              changed();
            })
          ];
          if (field.widget.unit) {
            parts.push(" " + field.widget.unit);
          }
          return el("span", {}, parts);
        case "text":
          return textWidget(field, condition);
        case "select":
          return selectWidget(field, condition);
        default:
          return rawWidget(field, condition);
      }
    }


    return valueWidget;
  }

  window.LinernotesFilterWidgets = {
    el: el,
    select: select,
    button: button,
    defaultValue: defaultValue,
    create: create
  };
})();
