// The documents page: follow each new upload's status until it is final (a failed file stops too),
// and ask before deleting. Everything else on the advisors' pages works without this script.
(function () {
  "use strict";
  var FINAL = ["indexed", "failed", "unchanged"];
  var list = document.getElementById("upload-list");
  var live = document.getElementById("upload-status");

  function label(status) {
    return (list && list.getAttribute("data-label-" + status)) || status;
  }

  function follow(item) {
    var id = item.getAttribute("data-upload");
    var statusEl = item.querySelector("[data-role=status]");
    var reasonEl = item.querySelector("[data-role=reason]");
    function poll() {
      fetch("/api/documents/" + encodeURIComponent(id), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body) { return; }  // signed out or gone: stop quietly
          var status = body.status;
          if (status !== item.getAttribute("data-status")) {
            item.setAttribute("data-status", status);
            statusEl.textContent = label(status);
            statusEl.className = "status status--" + status;
            reasonEl.textContent = body.reason || "";
            if (live) { live.textContent = item.querySelector(".upload__name").textContent + ": " + label(status); }
          }
          if (FINAL.indexOf(status) === -1) {
            window.setTimeout(poll, 1000);
          } else {
            finished();
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    if (FINAL.indexOf(item.getAttribute("data-status")) === -1) { poll(); } else { finished(); }
  }

  function finished() {
    var open = document.querySelectorAll("[data-upload]");
    for (var i = 0; i < open.length; i++) {
      if (FINAL.indexOf(open[i].getAttribute("data-status")) === -1) { return; }
    }
    var done = document.getElementById("upload-done");
    if (done) { done.hidden = false; }
  }

  if (list) {
    var items = list.querySelectorAll("[data-upload]");
    for (var i = 0; i < items.length; i++) { follow(items[i]); }
  }

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
