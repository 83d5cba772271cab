/* Atelier storefront enhancements. Every page works without this file; it adds the gallery controls,
   zoom, the variant picker's live updates, auto-submitting sort and tidy filter URLs. No dependencies. */
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
  var MAX_ZOOM = 2.2;
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

    /* Zooming loads the largest rendition of the ladder (the page shows one sized for the layout), in
       the format the browser already picked, and enlarges no further than that rendition's own width:
       the ladder stops at the original's width, so a zoom never upscales what the merchant uploaded. */
    function loadLargest(img) {
      if (img.hasAttribute("data-zoom-loaded")) return;
      img.setAttribute("data-zoom-loaded", "");
      var src = img.getAttribute("data-zoom-src");
      if (!src) return;
      var picture = img.parentElement && img.parentElement.tagName === "PICTURE" ? img.parentElement : null;
      if (picture) {
        picture.querySelectorAll("source[data-zoom-srcset]").forEach(function (source) {
          source.removeAttribute("sizes");
          source.srcset = source.getAttribute("data-zoom-srcset");
        });
      }
      img.removeAttribute("sizes");
      img.removeAttribute("srcset");
      img.src = src;
    }

    function zoomScale(img) {
      var w = Number(img.getAttribute("width")) || 1, h = Number(img.getAttribute("height")) || 1;
      var largest = Number(img.getAttribute("data-zoom-width")) || w;
      var shown = Math.min(img.clientWidth, img.clientHeight * w / h) || 1;  // object-fit: contain
      return Math.max(1, Math.min(MAX_ZOOM, largest / shown));
    }

    function setZoom(on, event) {
      var fig = figure(current);
      if (!fig) return;
      var zoomed = fig.querySelector("img");
      if (on && zoomed) {
        zoomed.style.setProperty("--zoom-scale", String(zoomScale(zoomed)));
        loadLargest(zoomed);
      }
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
    thumbs.forEach(function (thumb) {
      thumb.addEventListener("click", function (event) { event.preventDefault(); show(thumbs.indexOf(thumb)); });
    });

    /* The variant picker asks for its photos first ("gallery:order", detail.photos: image ids in order).
       Slides and thumbnails move in the DOM and are numbered again; the gallery starts at the first. */
    root.addEventListener("gallery:order", function (event) {
      var ids = (event.detail && event.detail.photos || []).map(String);
      function rank(el) {
        var i = ids.indexOf(el.getAttribute("data-image-id"));
        return i < 0 ? ids.length : i;
      }
      slides.sort(function (a, b) { return rank(a) - rank(b); });
      thumbs.sort(function (a, b) { return rank(a.parentElement) - rank(b.parentElement); });
      slides.forEach(function (slide, i) {
        track.appendChild(slide);
        slide.id = "photo-" + (i + 1);
        slide.setAttribute("data-index", String(i));
        slide.setAttribute("aria-label", (i + 1) + " of " + count);
      });
      thumbs.forEach(function (thumb, i) {
        thumb.parentElement.parentElement.appendChild(thumb.parentElement);
        thumb.setAttribute("href", "#photo-" + (i + 1));
        thumb.setAttribute("data-gallery-thumb", String(i));
        thumb.setAttribute("aria-label", "Show photo " + (i + 1) + " of " + count);
      });
      setZoom(false);
      current = 0;
      programmatic = false;
      track.scrollTo({ left: 0, behavior: "auto" });
      render();
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

    slides.forEach(function (slide) {
      var fig = slide.querySelector("[data-zoom]");
      if (!fig) return;
      fig.addEventListener("click", function (event) {
        if (slides.indexOf(slide) !== current) return;
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

  document.querySelectorAll("form[data-variant-form]").forEach(initVariantForm);

  /* Picking a variant shows its price, stock and photos at once and puts it in the URL (the same page
     the server renders for ?variant=<id>). The wording and the photo order come from the page's JSON. */
  function initVariantForm(form) {
    var dataElement = document.getElementById("variant-data");
    if (!dataElement) return;
    var variants = JSON.parse(dataElement.textContent).variants || {};
    var page = form.closest(".product") || document;
    var price = page.querySelector("[data-variant-price]");
    var stock = page.querySelector("[data-variant-stock]");
    var stockText = page.querySelector("[data-variant-stock-text]");
    var quantity = form.querySelector("[data-variant-quantity]");
    var add = form.querySelector("[data-variant-add]");
    var next = form.querySelector("[data-variant-next]");
    var gallery = page.querySelector("[data-gallery]");

    function withVariant(href, id) {
      var url = new URL(href, window.location.href);
      url.searchParams.set("variant", id);
      return url.pathname + url.search + url.hash;
    }

    function apply(id) {
      var variant = variants[id];
      if (!variant) return;
      var out = variant.stockLevel === "out";
      if (price) price.textContent = variant.price;
      if (stock) stock.className = "stock stock--" + variant.stockLevel;
      if (stockText) stockText.textContent = variant.stockText;
      if (quantity) {
        quantity.max = String(variant.max);
        if (Number(quantity.value) > variant.max) quantity.value = String(variant.max);
        quantity.disabled = out;
      }
      if (add) add.disabled = out;
      if (next) next.value = withVariant(next.value, id);
      window.history.replaceState(window.history.state, "", withVariant(window.location.href, id));
      if (gallery) gallery.dispatchEvent(new CustomEvent("gallery:order", { detail: { photos: variant.photos } }));
    }

    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "variant" && event.target.checked) apply(event.target.value);
    });
  }
})();
