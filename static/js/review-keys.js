// Keyboard shortcuts for the review queue, on top of buttons that work without script.
// j / ArrowDown: next row; k / ArrowUp: previous; a: approve; r: reject; x: select;
// o: open the article. After a decision the page comes back on the same row number,
// which now holds the next tag.
(function () {
  "use strict";
  var table = document.getElementById("result_list");
  if (!table || !table.tBodies.length) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  if (!rows.length) return;
  var help = document.getElementById("desk-keys");
  if (help) help.hidden = false;
  var storageKey = "desk-row:" + location.pathname + location.search;
  var stored = 0;
  try {
    stored = parseInt(sessionStorage.getItem(storageKey) || "0", 10) || 0;
    sessionStorage.removeItem(storageKey);
  } catch (e) { /* storage may be off: start at the top */ }
  var current = Math.max(0, Math.min(stored, rows.length - 1));

  function show(index) {
    rows[current].classList.remove("desk-current");
    rows[current].removeAttribute("aria-current");
    current = Math.max(0, Math.min(index, rows.length - 1));
    rows[current].classList.add("desk-current");
    rows[current].setAttribute("aria-current", "true");
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    if (!target || target.isContentEditable) return true;
    var tag = target.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && target.type !== "checkbox");
  }

  show(current);
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var row = rows[current];
    switch (event.key) {
      case "j":
      case "ArrowDown":
        show(current + 1);
        break;
      case "k":
      case "ArrowUp":
        show(current - 1);
        break;
      case "a":
      case "r": {
        var button = row.querySelector('button[data-key="' + event.key + '"]');
        if (!button) return;
        try { sessionStorage.setItem(storageKey, String(current)); } catch (e) { /* ignore */ }
        button.click();
        break;
      }
      case "x": {
        var box = row.querySelector("input.action-select");
        if (box) box.click();
        break;
      }
      case "o": {
        var link = row.querySelector(".desk-article a");
        if (link) window.location.href = link.href;
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });
})();
