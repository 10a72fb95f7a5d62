// A sentence from the API shown in a node, its dates kept whole as core's whole_dates filter
// keeps them on the server: a date and its time stay on one line, never "2026-12- / 06". Shared
// by the import card and the routing status scripts (loaded before them, both deferred).
window.showWholeDates = function (node, text) {
  node.textContent = "";
  String(text || "").split(/(\b\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?(?: [A-Z]{2,5}\b)?)?)/)
    .forEach(function (part, index) {
      if (index % 2) {
        var date = document.createElement("span");
        date.className = "nowrap";
        date.textContent = part;
        node.appendChild(date);
      } else if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
};
