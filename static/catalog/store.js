/* Atelier storefront enhancements. Every page works without this file; it adds the gallery controls,
   zoom, auto-submitting sort and tidy filter URLs. No dependencies. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  /* The blurred placeholder behind a photo goes once the photo has loaded (no inline handler: the CSP
     allows only our own script files). Images that loaded before this ran are cleared at once. */
  function clearPlaceholder(img) { img.style.backgroundImage = "none"; img.removeAttribute("data-lqip"); }
  document.addEventListener("load", function (event) {
    var t = event.target;
    if (t && t.tagName === "IMG" && t.hasAttribute("data-lqip")) clearPlaceholder(t);
  }, true);
  document.querySelectorAll("img[data-lqip]").forEach(function (img) { if (img.complete && img.naturalWidth) clearPlaceholder(img); });
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var desktop = window.matchMedia("(min-width: 1000px)");

  /* Sorting applies as soon as a shopper picks an order. */
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  /* Empty filter fields stay out of the URL, so links stay short and shareable. */
  document.querySelectorAll(".filters__form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input").forEach(function (input) {
        if ((input.type === "number" || input.type === "hidden") && input.value.trim() === "") input.disabled = true;
      });
    });
  });

  /* The filter panel is a sidebar on desktop (always open) and a collapsible panel on phones. */
  var panels = document.querySelectorAll("details[data-filters]");
  function syncPanels() {
    panels.forEach(function (details) { if (desktop.matches) details.open = true; });
  }
  panels.forEach(function (details) {
    details.addEventListener("toggle", function () { if (desktop.matches && !details.open) details.open = true; });
  });
  syncPanels();
  desktop.addEventListener("change", syncPanels);

  document.querySelectorAll("[data-gallery]").forEach(initGallery);

  function initGallery(root) {
    var track = root.querySelector("[data-gallery-track]");
    if (!track) return;
    var slides = Array.prototype.slice.call(track.children);
    var thumbs = Array.prototype.slice.call(root.querySelectorAll("[data-gallery-thumb]"));
    var prev = root.querySelector("[data-gallery-prev]");
    var next = root.querySelector("[data-gallery-next]");
    var zoomButton = root.querySelector("[data-gallery-zoom]");
    var status = root.querySelector("[data-gallery-status]");
    var count = slides.length;
    var current = 0;
    var settleTimer = null;
    var programmatic = false;
    var target = 0;

    function figure(i) { return slides[i].querySelector("[data-zoom]"); }

    function setZoom(on, event) {
      var fig = figure(current);
      if (!fig) return;
      if (on && event && event.clientX !== undefined) {
        var box = fig.getBoundingClientRect();
        var img = fig.querySelector("img");
        if (img) img.style.transformOrigin = ((event.clientX - box.left) / box.width * 100) + "% " + ((event.clientY - box.top) / box.height * 100) + "%";
      } else if (on) {
        var centred = fig.querySelector("img");
        if (centred) centred.style.transformOrigin = "50% 50%";
      }
      fig.classList.toggle("is-zoomed", on);
      if (zoomButton) {
        zoomButton.setAttribute("aria-pressed", on ? "true" : "false");
        zoomButton.setAttribute("aria-label", on ? "Zoom out" : "Zoom photo");
      }
    }

    function isZoomed() { var fig = figure(current); return !!fig && fig.classList.contains("is-zoomed"); }

    function render() {
      root.setAttribute("data-current", String(current));
      thumbs.forEach(function (thumb, i) { thumb.setAttribute("aria-current", i === current ? "true" : "false"); });
      slides.forEach(function (slide, i) { slide.setAttribute("aria-hidden", i === current ? "false" : "true"); });
      if (status && count > 1) status.textContent = (current + 1) + " / " + count;
      var thumb = thumbs[current];
      if (thumb && thumb.scrollIntoView && thumb.parentElement.parentElement.scrollWidth > thumb.parentElement.parentElement.clientWidth) {
        thumb.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    }

    function show(i) {
      if (count === 0) return;
      setZoom(false);
      current = (i + count) % count;
      programmatic = true;
      target = slides[current].offsetLeft;
      track.scrollTo({ left: target, behavior: reducedMotion ? "auto" : "smooth" });
      render();
    }

    /* A swipe or trackpad scroll moves the track itself; adopt the slide it settles on. Our own
       smooth scroll is not adopted on the way: on a busy phone its frames can be far apart, and a
       pause mid-way must not pull the gallery back to a slide it is passing. */
    track.addEventListener("scroll", function () {
      if (isZoomed() && !programmatic) setZoom(false);
      clearTimeout(settleTimer);
      settleTimer = setTimeout(function () {
        if (programmatic) {
          if (Math.abs(track.scrollLeft - target) < 2) programmatic = false;
          return;
        }
        var i = Math.round(track.scrollLeft / Math.max(track.clientWidth, 1));
        if (i !== current && i >= 0 && i < count) { current = i; render(); }
      }, 120);
    }, { passive: true });
    /* A shopper's own touch, wheel or drag takes over from a programmatic scroll still in flight. */
    ["pointerdown", "touchstart", "wheel"].forEach(function (type) {
      track.addEventListener(type, function () { programmatic = false; }, { passive: true });
    });

    if (prev) { prev.hidden = false; prev.addEventListener("click", function () { show(current - 1); }); }
    if (next) { next.hidden = false; next.addEventListener("click", function () { show(current + 1); }); }
    thumbs.forEach(function (thumb, i) {
      thumb.addEventListener("click", function (event) { event.preventDefault(); show(i); });
    });

    root.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var handled = true;
      if (event.key === "ArrowRight") show(current + 1);
      else if (event.key === "ArrowLeft") show(current - 1);
      else if (event.key === "Home") show(0);
      else if (event.key === "End") show(count - 1);
      else if (event.key === "Escape" && isZoomed()) setZoom(false);
      else handled = false;
      if (handled) event.preventDefault();
    });

    slides.forEach(function (slide, i) {
      var fig = slide.querySelector("[data-zoom]");
      if (!fig) return;
      fig.addEventListener("click", function (event) {
        if (i !== current) return;
        setZoom(!fig.classList.contains("is-zoomed"), event);
      });
      fig.addEventListener("mousemove", function (event) {
        if (!fig.classList.contains("is-zoomed")) return;
        var box = fig.getBoundingClientRect();
        var img = fig.querySelector("img");
        if (img) img.style.transformOrigin = ((event.clientX - box.left) / box.width * 100) + "% " + ((event.clientY - box.top) / box.height * 100) + "%";
      });
    });
    if (zoomButton && count > 0) {
      zoomButton.hidden = false;
      zoomButton.addEventListener("click", function () { setZoom(!isZoomed()); });
    }
    render();
  }
})();
