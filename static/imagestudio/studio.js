/* Studio screens: live job progress, the recipe composer with quick preview, the review compare views and shortcuts. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  /* Live progress: poll the small JSON endpoint while any job on the page is queued or running. */
  function initProgress(root) {
    var url = root.getAttribute("data-status-url");
    var leaving = false;
    window.addEventListener("beforeunload", function () { leaving = true; });
    function activeIds() {
      return Array.prototype.map.call(root.querySelectorAll("[data-job][data-active='1']"), function (el) { return el.getAttribute("data-job"); });
    }
    function tick() {
      var ids = activeIds();
      if (!ids.length) return;
      fetch(url + "?ids=" + ids.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { jobs: [] }; })
        .then(function (data) {
          var finished = false;
          data.jobs.forEach(function (job) {
            var row = root.querySelector("[data-job='" + job.id + "']");
            if (!row) return;
            var bar = row.querySelector("[role=progressbar]");
            if (bar) { bar.setAttribute("aria-valuenow", job.progress); bar.firstElementChild.style.width = job.progress + "%"; }
            var pill = row.querySelector("[data-status-pill]");
            if (pill) { pill.textContent = job.status_label; pill.className = "pill pill--" + job.status; }
            var label = row.querySelector("[data-label]");
            if (label) label.textContent = job.error || job.label || "";
            if (!job.active) { row.setAttribute("data-active", "0"); finished = true; }
          });
          // A finished job gains buttons (review, retry): reload once to show them, unless the user
          // is already leaving (a click on a link just now must not be cancelled by the reload).
          if (finished) { window.setTimeout(function () { if (!leaving) window.location.reload(); }, 400); return; }
          window.setTimeout(tick, 1500);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, 1000);
  }

  /* Composer: build a recipe from the operation registry (describe_operations) and post it as JSON. */
  function initComposer(form) {
    var ops = JSON.parse(document.getElementById("studio-operations").textContent);
    var byName = {};
    ops.forEach(function (op) { byName[op.name] = op; });
    var picker = form.querySelector("[data-op-picker]");
    var list = form.querySelector("[data-steps]");
    var hidden = form.querySelector("[data-recipe-json]");
    var help = form.querySelector("[data-op-help]");
    ops.forEach(function (op) {
      var o = document.createElement("option");
      o.value = op.name;
      o.textContent = op.name.replace(/_/g, " ") + (op.uses_ml ? " (ML)" : "");
      picker.appendChild(o);
    });
    function showHelp() { var op = byName[picker.value]; help.textContent = op ? op.description : ""; }
    picker.addEventListener("change", showHelp);
    showHelp();

    function field(param, value) {
      var label = document.createElement("label");
      label.textContent = param.name.replace(/_/g, " ");
      if (param.help) label.title = param.help;
      var input;
      if (param.choices) {
        input = document.createElement("select");
        if (param.optional) { var none = document.createElement("option"); none.value = ""; none.textContent = "—"; input.appendChild(none); }
        param.choices.forEach(function (c) { var o = document.createElement("option"); o.value = JSON.stringify(c); o.textContent = String(c); input.appendChild(o); });
        input.value = value === null || value === undefined ? "" : JSON.stringify(value);
      } else if (param.type === "bool") {
        input = document.createElement("input"); input.type = "checkbox"; input.checked = !!value;
      } else if (param.type === "colour") {
        input = document.createElement("input"); input.type = "color";
        var c = value || [255, 255, 255];
        input.value = "#" + c.map(function (v) { return ("0" + Number(v).toString(16)).slice(-2); }).join("");
      } else if (param.type === "int" || param.type === "float") {
        input = document.createElement("input"); input.type = "number";
        input.step = param.type === "int" ? "1" : "any";
        if (param.low !== null && param.low !== undefined) input.min = param.low;
        if (param.high !== null && param.high !== undefined) input.max = param.high;
        input.value = value === null || value === undefined ? "" : value;
        if (param.optional) input.placeholder = "auto";
      } else {
        input = document.createElement("input"); input.type = "text"; input.value = value || "";
      }
      input.setAttribute("data-param", param.name);
      input.setAttribute("data-type", param.type);
      label.appendChild(input);
      return label;
    }

    function addStep(name, values) {
      var op = byName[name];
      if (!op) return;
      var li = document.createElement("li");
      li.className = "step"; li.setAttribute("data-op", name);
      var head = document.createElement("div"); head.className = "step__head";
      var title = document.createElement("span"); title.className = "step__name";
      title.textContent = name.replace(/_/g, " ") + (op.uses_ml ? " · ML" : "");
      head.appendChild(title);
      [["↑", "Move up", -1], ["↓", "Move down", 1], ["✕", "Remove", 0]].forEach(function (b) {
        var btn = document.createElement("button"); btn.type = "button"; btn.textContent = b[0]; btn.setAttribute("aria-label", b[1] + " " + name);
        btn.addEventListener("click", function () {
          if (b[2] === 0) li.remove();
          else if (b[2] < 0 && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
          else if (b[2] > 0 && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
        });
        head.appendChild(btn);
      });
      li.appendChild(head);
      var params = document.createElement("div"); params.className = "step__params";
      op.params.forEach(function (p) { params.appendChild(field(p, values && p.name in values ? values[p.name] : p.default)); });
      li.appendChild(params);
      list.appendChild(li);
    }

    function steps() {
      return Array.prototype.map.call(list.children, function (li) {
        var step = { op: li.getAttribute("data-op") };
        li.querySelectorAll("[data-param]").forEach(function (input) {
          var type = input.getAttribute("data-type"), name = input.getAttribute("data-param"), value;
          if (input.tagName === "SELECT") { if (input.value === "") return; value = JSON.parse(input.value); }
          else if (type === "bool") value = input.checked;
          else if (type === "colour") { var h = input.value.slice(1); value = [0, 2, 4].map(function (i) { return parseInt(h.substr(i, 2), 16); }); }
          else if (type === "int" || type === "float") { if (input.value === "") return; value = Number(input.value); }
          else value = input.value;
          step[name] = value;
        });
        return step;
      });
    }

    form.querySelector("[data-add-step]").addEventListener("click", function () { addStep(picker.value); });
    if (hidden.value) { try { JSON.parse(hidden.value).forEach(function (s) { addStep(s.op, s); }); } catch (e) { /* keep an empty composer */ } }
    form.addEventListener("submit", function () { hidden.value = JSON.stringify(steps()); });

    var status = document.querySelector("[data-preview-status]");
    var inlineStatus = form.querySelector("[data-preview-inline-status]");
    var previewImg = document.querySelector("[data-photo=preview]");
    var inline = form.querySelector("[data-preview-inline]");
    function say(text) { status.textContent = text; if (inlineStatus) { inlineStatus.textContent = text; } }
    var lastUrl = null;
    form.querySelector("[data-preview]").addEventListener("click", function () {
      var recipe = steps();
      if (!recipe.length) { say("Add a step first."); return; }
      say("Rendering a quick preview…");
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ steps: recipe })
      }).then(function (r) {
        if (!r.ok) return r.json().then(function (d) { throw new Error(d.error || "Preview failed"); });
        return r.blob();
      }).then(function (blob) {
        if (lastUrl) URL.revokeObjectURL(lastUrl);
        lastUrl = URL.createObjectURL(blob);
        previewImg.src = lastUrl;
        say("");
        var tab = document.querySelector("[data-photo-tab=preview]");
        tab.disabled = false; tab.click();
        // Beside the composer too, where the merchant is looking (the photo panel may be scrolled away).
        if (inline) { inline.querySelector("img").src = lastUrl; inline.hidden = false; }
      }).catch(function (err) { say(err.message); });
    });
  }

  /* Generic tab switcher for [data-photo-tab] and [data-compare-tab]. */
  function initTabs(attr, panelAttr) {
    var tabs = document.querySelectorAll("[" + attr + "]");
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () {
        var name = tab.getAttribute(attr);
        tabs.forEach(function (t) { t.setAttribute("aria-selected", String(t === tab)); });
        document.querySelectorAll("[" + panelAttr + "]").forEach(function (p) { p.hidden = p.getAttribute(panelAttr) !== name; });
        if (name === "diff") {
          var lazy = document.querySelector("[data-lazy-diff]");
          if (lazy && !lazy.src) lazy.src = lazy.getAttribute("data-src");
        }
      });
    });
  }

  function initSlider(root) {
    var range = root.querySelector("[data-slider-range]");
    var over = root.querySelector("[data-slider-over]");
    function update() { over.style.clipPath = "inset(0 " + (100 - range.value) + "% 0 0)"; over.style.setProperty("--pos", range.value + "%"); }
    range.addEventListener("input", update);
    update();
  }

  /* Review shortcuts: a approve, r reject, j/k next/previous, 1-4 compare views. */
  function initReview(root) {
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) return;
      var approve = root.querySelector("[data-approve-form]");
      var reject = root.querySelector("[data-reject-form]");
      if (e.key === "a" && approve) { e.preventDefault(); approve.requestSubmit(); }
      else if (e.key === "r" && reject) { e.preventDefault(); reject.querySelector("textarea").focus(); }
      else if (e.key === "j" && root.getAttribute("data-next")) { window.location = root.getAttribute("data-next"); }
      else if (e.key === "k" && root.getAttribute("data-prev")) { window.location = root.getAttribute("data-prev"); }
      else if (/^[1-4]$/.test(e.key)) {
        var tabs = root.querySelectorAll("[data-compare-tab]");
        if (tabs[Number(e.key) - 1]) tabs[Number(e.key) - 1].click();
      }
    });
  }

  /* Queue shortcuts: j/k move, x select, Enter open. */
  function initQueue(form) {
    var items = Array.prototype.slice.call(form.querySelectorAll("[data-queue-item]"));
    var current = -1;
    function focus(i) {
      if (!items.length) return;
      current = Math.max(0, Math.min(items.length - 1, i));
      items.forEach(function (el, n) { el.classList.toggle("is-current", n === current); });
      items[current].focus();
    }
    var all = form.querySelector("[data-select-all]");
    if (all) all.addEventListener("change", function () { form.querySelectorAll("input[name=result]").forEach(function (c) { c.checked = all.checked; }); });
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === "j") focus(current + 1);
      else if (e.key === "k") focus(current - 1);
      else if (e.key === "x" && current >= 0) { var c = items[current].querySelector("input[name=result]"); c.checked = !c.checked; }
      else if (e.key === "Enter" && current >= 0) window.location = items[current].getAttribute("data-href");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-jobs]").forEach(initProgress);
    var composer = document.querySelector("[data-composer]");
    if (composer) initComposer(composer);
    initTabs("data-photo-tab", "data-photo");
    initTabs("data-compare-tab", "data-compare");
    var slider = document.querySelector("[data-slider]");
    if (slider) initSlider(slider);
    var review = document.querySelector("[data-review]");
    if (review) initReview(review);
    var queue = document.querySelector("[data-review-queue]");
    if (queue) initQueue(queue);
  });
})();
