// Search by photo: a pasted image fills the file input (so the same form posts it); no inline script (CSP).
(function () {
  "use strict";
  function init(form) {
    var input = form.querySelector('input[type="file"]');
    var status = form.querySelector("[data-paste-status]");
    if (!input || typeof DataTransfer === "undefined") return;
    document.addEventListener("paste", function (event) {
      var items = (event.clipboardData && event.clipboardData.files) || [];
      for (var i = 0; i < items.length; i++) {
        if (items[i].type.indexOf("image/") === 0) {
          var transfer = new DataTransfer();
          var ext = items[i].type.split("/")[1] || "png";
          transfer.items.add(new File([items[i]], items[i].name || "pasted." + ext, { type: items[i].type }));
          input.files = transfer.files;
          if (status) { status.hidden = false; status.textContent = "Pasted image ready: press “Find similar products”."; }
          event.preventDefault();
          return;
        }
      }
    });
  }
  document.querySelectorAll("[data-photo-search]").forEach(init);
})();
