// What a person would see wrong on the page at the current width, measured in the page (the body of
// a function: Browser.page_report() runs it, its one argument what this page must not show: strings,
// and {pattern: "regular expression"} for a shape, such as a run number "#12"):
// - overflow: the page is wider than the window (a sideways scroll), with the elements past its edge;
// - nav: the navigation is not on one line (its items on several rows, or an item's text wrapped);
// - broken_words: a whitespace-free token split across two lines ("2026-12- / 06", "llama-3.1- /
//   70b"). Only two breaks are fair: between the parts of a compound of letters ("read- / only",
//   "and/ or") outside <code> (where "linernotes- / test" is a name cut in two), and anywhere in an
//   element that says long strings may break (overflow-wrap: anywhere or word-break: break-all, as
//   .long, .token and .error do);
// - raw_ids: Spotify ids or URIs in the visible text, and the argument's strings and patterns (a
//   listener's username and Spotify user id, a device's session id, a run number);
// - json_paths: paths into a document such as conditions.0.value, conditions[0].value, filters.match;
// - clipped_cells, when the second argument is true (a listener's page): table cells whose right (or
//   bottom) edge is past the visible edge of the box that scrolls them, cut mid-word with nothing to say the
//   rest is there (the page walk asks it of every page: wide tables stack on a phone).
const privateStrings = arguments[0] || [];
const checkClipping = Boolean(arguments[1]);
const doc = document.documentElement;
const viewport = doc.clientWidth;
function describe(el) {
  if (!el || el.nodeType !== 1) { return ""; }
  let text = el.tagName.toLowerCase();
  if (el.id) { text += "#" + el.id; }
  if (el.classList.length) { text += "." + Array.from(el.classList).join("."); }
  const parent = el.parentElement;
  return (parent && parent !== document.body ? describe(parent) + " > " : "") + text;
}
function visible(el) {
  // checkVisibility: also false inside a closed <details> (its content is content-visibility: hidden).
  if (el.checkVisibility && !el.checkVisibility({visibilityProperty: true})) { return false; }
  const style = getComputedStyle(el);
  return style.visibility !== "hidden" && style.display !== "none" && el.getClientRects().length > 0;
}

const offenders = [];
for (const el of document.body.querySelectorAll("*")) {
  if (offenders.length >= 10) { break; }
  if (!visible(el)) { continue; }
  const box = el.getBoundingClientRect();
  if (box.right > viewport + 1 && box.width > 0) {
    // Only the outermost: its descendants overflow with it.
    if (!offenders.some(o => o.el.contains(el))) {
      offenders.push({el: el, right: Math.round(box.right)});
    }
  }
}
const overflow = {
  scroll_width: doc.scrollWidth, viewport: viewport, inner_width: window.innerWidth,
  ok: doc.scrollWidth <= viewport,
  offenders: offenders.map(o => describe(o.el) + " (right edge " + o.right + " px)"),
};

// The nearest ancestor that clips sideways (scrolls or hides), and the right edge of what it shows.
function clipperOf(el) {
  for (let box = el.parentElement; box && box !== document.body && box !== doc; box = box.parentElement) {
    if (getComputedStyle(box).overflowX !== "visible") { return box; }
  }
  return null;
}
const clipped = [];
if (checkClipping) {
  for (const cell of document.body.querySelectorAll("td, th")) {
    if (clipped.length >= 10) { break; }
    if (!visible(cell) || !cell.textContent.trim()) { continue; }
    const clipper = clipperOf(cell);
    // A box of a pixel is a visually hidden one (a stacked table's header row, for screen readers).
    if (!clipper || clipper.clientWidth <= 1 || clipper.clientHeight <= 1) { continue; }
    // Its visible box: inside the borders, without a scroll bar. Below it counts too (a box that
    // grew no taller than its first line).
    const outer = clipper.getBoundingClientRect();
    const edge = outer.left + clipper.clientLeft + clipper.clientWidth;
    const floor = outer.top + clipper.clientTop + clipper.clientHeight;
    const box = cell.getBoundingClientRect();
    if (box.right > edge + 1 || box.bottom > floor + 1) {
      const text = cell.textContent.trim().replace(/\s+/g, " ").slice(0, 40);
      clipped.push("“" + text + "” in " + describe(cell) + " (right, bottom " + Math.round(box.right) + ", "
        + Math.round(box.bottom) + " px; shown to " + Math.round(edge) + ", " + Math.round(floor) + " px)");
    }
  }
}

let nav = {present: false, ok: true, problems: []};
const navEl = document.querySelector(".site-header nav");
if (navEl) {
  // The links and the account's name and button, one by one. Below the wide layout they sit in a
  // closed "Menu" disclosure: then the summary is what shows, and it is the one item.
  let items = Array.from(navEl.querySelectorAll("a, .who, button")).filter(visible);
  const summary = document.querySelector(".site-header details.menu > summary");
  if (!items.length && summary && visible(summary)) { items = [summary]; }
  // Items side by side overlap vertically, whatever their heights; a new row starts below them.
  let rows = 0, rowBottom = -Infinity;
  for (const box of items.map(el => el.getBoundingClientRect()).sort((a, b) => a.top - b.top)) {
    if (box.top >= rowBottom - 1) { rows += 1; rowBottom = box.bottom; }
    else { rowBottom = Math.max(rowBottom, box.bottom); }
  }
  const problems = [];
  if (rows > 1) { problems.push("its items sit on " + rows + " rows"); }
  for (const el of items) {
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 24;
    // Lines of its text only: an icon beside the text (the Menu's) sits at a top of its own.
    const tops = new Set();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(walker.currentNode);
      for (const r of range.getClientRects()) { if (r.width > 0) { tops.add(Math.round(r.top)); } }
    }
    const lines = tops.size;
    if (lines > 1 || el.getBoundingClientRect().height > lineHeight * 1.9) {
      problems.push("“" + el.textContent.trim() + "” takes " + Math.max(lines, 2) + " lines");
    }
    if (el.getBoundingClientRect().right > viewport + 1) {
      problems.push("“" + el.textContent.trim() + "” is past the window's edge");
    }
  }
  const header = document.querySelector(".site-header");
  const brand = document.querySelector(".site-header .brand");
  const first = items.length ? items[0].getBoundingClientRect() : null;
  if (brand && first && Math.abs(brand.getBoundingClientRect().top - first.top) > first.height) {
    problems.push("it is below the brand, not beside it");
  }
  nav = {present: true, ok: problems.length === 0, problems: problems,
         height: Math.round(navEl.getBoundingClientRect().height),
         header_height: header ? Math.round(header.getBoundingClientRect().height) : null};
}

const broken = [];
// A compound of letters: words joined by hyphens, dashes or slashes, between any punctuation.
const COMPOUND = /^[^\p{L}\p{N}]*\p{L}+(?:['’]\p{L}+)*(?:[\-\/\u2010-\u2015]\p{L}+(?:['’]\p{L}+)*)+[^\p{L}\p{N}]*$/u;
const JOINER = /[\-\/\u2010-\u2015]/;
function mayBreakAnywhere(el) {
  const style = getComputedStyle(el);
  return style.overflowWrap === "anywhere" || style.wordBreak === "break-all";
}
function lines(node, start, end) {
  range.setStart(node, start);
  range.setEnd(node, end);
  return new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top))).size;
}
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
  acceptNode(node) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, noscript, .token, textarea, select, option")) {
      return NodeFilter.FILTER_REJECT;
    }
    return node.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
  },
});
let words = 0;
const range = document.createRange();
for (let node = walker.nextNode(); node && words < 20000 && broken.length < 10; node = walker.nextNode()) {
  if (!visible(node.parentElement) || mayBreakAnywhere(node.parentElement)) { continue; }
  const text = node.textContent;
  const pattern = /\S+/g;
  let match;
  while ((match = pattern.exec(text)) !== null) {
    words += 1;
    const token = match[0];
    if (token.length < 2 || lines(node, match.index, match.index + token.length) < 2) { continue; }
    if (COMPOUND.test(token) && !node.parentElement.closest("code, kbd, samp")) {
      // Broken only if one of its words is: "read- / only" is how compounds wrap.
      let offset = match.index;
      let whole = true;
      for (const part of token.split(JOINER)) {
        if (part.length > 1 && lines(node, offset, offset + part.length) > 1) { whole = false; }
        offset += part.length + 1;
      }
      if (whole) { continue; }
    }
    broken.push("“" + token + "” in " + describe(node.parentElement));
  }
}

const shown = document.body.innerText;
const SPOTIFY_ID = /(?:spotify:[a-z]+:)?\b(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])[A-Za-z0-9]{22}\b/g;
// A path into a document, as a validator words it: an index, dotted or in brackets, after a name
// (conditions.0.value, conditions[0].value, items[2]), or the filter schema's own keys joined by
// dots (filters.match, conditions.field). Prose, versions ("llama-3.1") and file names
// ("settings.py") have neither.
const SCHEMA_KEY = "(?:filters|conditions|match|field|op|value)";
const JSON_PATH = new RegExp(
  "\\b[a-z_]+(?:\\.[0-9]+|\\[[0-9]+\\])+(?:\\.[a-z_]+|\\[[0-9]+\\])*"
  + "|\\b" + SCHEMA_KEY + "(?:\\." + SCHEMA_KEY + ")+\\b", "g");
const rawIds = Array.from(new Set([
  ...(shown.match(SPOTIFY_ID) || []),
  ...privateStrings.filter(text => typeof text === "string" && shown.includes(text)),
  ...privateStrings.filter(text => typeof text !== "string")
    .flatMap(text => shown.match(new RegExp(text.pattern, "g")) || []),
])).slice(0, 10);
const jsonPaths = Array.from(new Set(shown.match(JSON_PATH) || [])).slice(0, 10);

return {
  width: window.innerWidth, overflow: overflow, nav: nav,
  clipped_cells: {checked: checkClipping, ok: clipped.length === 0, cells: clipped},
  broken_words: {ok: broken.length === 0, words: broken},
  raw_ids: {ok: rawIds.length === 0, found: rawIds},
  json_paths: {ok: jsonPaths.length === 0, found: jsonPaths},
};
