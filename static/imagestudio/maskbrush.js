/* Mask brush: erase / restore the cut-out mask over the source photo; saves a grey PNG the size of the photo. */
(function () {
  "use strict";
  var root = document.querySelector("[data-mask-brush]");
  if (!root) { return; }
  var canvas = root.querySelector("[data-brush-canvas]");
  var stage = root.querySelector("[data-brush-stage]");
  var status = root.querySelector("[data-brush-status]");
  var ctx = canvas.getContext("2d");
  var photo = new Image(), maskImg = new Image();
  var edited, model, tint, w = 0, h = 0, zoom = 1, fitZoom = 1;
  var painting = false, last = null, undo = [], changed = false;
  var sizeInput = root.querySelector("[data-brush-size]"), softInput = root.querySelector("[data-brush-soft]");
  var before = root.querySelector("[data-brush-before]");
  var save = root.querySelector("[data-brush-save]"), undoBtn = root.querySelector("[data-brush-undo]");

  function layer() { var c = document.createElement("canvas"); c.width = w; c.height = h; return c; }
  function mode(alt) {
    var m = root.querySelector("[data-brush-mode]:checked").value;
    return alt ? (m === "erase" ? "restore" : "erase") : m;
  }
  function maskToAlpha(img) {
    // The stored mask is grey (white = keep); the working layer keeps it as alpha so brushes can paint it.
    var c = layer(), g = c.getContext("2d");
    g.drawImage(img, 0, 0, w, h);
    var data = g.getImageData(0, 0, w, h), px = data.data;
    for (var i = 0; i < px.length; i += 4) { px[i + 3] = px[i]; px[i] = px[i + 1] = px[i + 2] = 255; }
    g.putImageData(data, 0, 0);
    return c;
  }
  function render() {
    var shown = before.checked ? model : edited;
    ctx.globalCompositeOperation = "source-over";
    ctx.clearRect(0, 0, w, h);
    ctx.drawImage(photo, 0, 0, w, h);
    var t = tint.getContext("2d");
    t.globalCompositeOperation = "source-over";
    t.clearRect(0, 0, w, h);
    t.fillStyle = "rgba(225, 0, 90, 0.55)";
    t.fillRect(0, 0, w, h);
    t.globalCompositeOperation = "destination-out";
    t.drawImage(shown, 0, 0);
    ctx.drawImage(tint, 0, 0);
  }
  function setZoom(z) {
    zoom = Math.max(0.05, Math.min(8, z));
    canvas.style.width = Math.round(w * zoom) + "px";
    canvas.style.height = Math.round(h * zoom) + "px";
    root.querySelector("[data-zoom-out]").textContent = Math.round(zoom * 100) + "%";
  }
  function point(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * (w / r.width), y: (e.clientY - r.top) * (h / r.height) };
  }
  function dab(g, x, y, how) {
    var radius = Math.max(1, +sizeInput.value / 2), soft = +softInput.value / 100;
    var grad = g.createRadialGradient(x, y, radius * (1 - soft), x, y, radius);
    grad.addColorStop(0, "rgba(255,255,255,1)");
    grad.addColorStop(1, "rgba(255,255,255,0)");
    g.globalCompositeOperation = how === "erase" ? "destination-out" : "source-over";
    g.fillStyle = grad;
    g.beginPath(); g.arc(x, y, radius, 0, Math.PI * 2); g.fill();
  }
  function stroke(p, how) {
    var g = edited.getContext("2d");
    if (!last) { dab(g, p.x, p.y, how); } else {
      var dx = p.x - last.x, dy = p.y - last.y, d = Math.sqrt(dx * dx + dy * dy);
      var step = Math.max(1, +sizeInput.value / 6), n = Math.ceil(d / step);
      for (var i = 1; i <= n; i++) { dab(g, last.x + dx * i / n, last.y + dy * i / n, how); }
    }
    last = p;
    changed = true; save.disabled = false;
    render();
  }
  function snapshot() {
    undo.push(edited.getContext("2d").getImageData(0, 0, w, h));
    if (undo.length > 20) { undo.shift(); }
    undoBtn.disabled = false;
  }
  canvas.addEventListener("pointerdown", function (e) {
    if (!w) { return; }
    e.preventDefault(); canvas.setPointerCapture(e.pointerId);
    snapshot(); painting = true; last = null; before.checked = false;
    stroke(point(e), mode(e.altKey));
  });
  canvas.addEventListener("pointermove", function (e) { if (painting) { stroke(point(e), mode(e.altKey)); } });
  ["pointerup", "pointercancel"].forEach(function (t) {
    canvas.addEventListener(t, function () { painting = false; last = null; });
  });
  undoBtn.addEventListener("click", function () {
    if (!undo.length) { return; }
    edited.getContext("2d").putImageData(undo.pop(), 0, 0);
    undoBtn.disabled = !undo.length; render();
  });
  root.querySelector("[data-brush-reset]").addEventListener("click", function () {
    snapshot();
    var g = edited.getContext("2d"); g.globalCompositeOperation = "source-over";
    g.clearRect(0, 0, w, h); g.drawImage(model, 0, 0);
    changed = false; save.disabled = true; render();
  });
  before.addEventListener("change", render);
  sizeInput.addEventListener("input", function () { root.querySelector("[data-brush-size-out]").textContent = sizeInput.value; });
  softInput.addEventListener("input", function () { root.querySelector("[data-brush-soft-out]").textContent = softInput.value; });
  root.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var how = b.getAttribute("data-zoom");
      setZoom(how === "fit" ? fitZoom : zoom * (how === "in" ? 1.25 : 0.8));
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.closest && e.target.closest("input, textarea, select")) { return; }
    if (e.key === "e" || e.key === "E") { root.querySelector('[value="erase"]').checked = true; }
    else if (e.key === "r" || e.key === "R") { root.querySelector('[value="restore"]').checked = true; }
    else if (e.key === "[") { sizeInput.value = Math.max(2, +sizeInput.value - 5); sizeInput.dispatchEvent(new Event("input")); }
    else if (e.key === "]") { sizeInput.value = Math.min(300, +sizeInput.value + 5); sizeInput.dispatchEvent(new Event("input")); }
    else if ((e.ctrlKey || e.metaKey) && e.key === "z") { e.preventDefault(); undoBtn.click(); }
    else if (e.key === "+" || e.key === "=") { setZoom(zoom * 1.25); }
    else if (e.key === "-") { setZoom(zoom * 0.8); }
    else if (e.key === "b" || e.key === "B") { before.checked = !before.checked; render(); }
  });
  root.querySelector("[data-brush-form]").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target, out = layer(), g = out.getContext("2d");
    g.fillStyle = "#000"; g.fillRect(0, 0, w, h); g.drawImage(edited, 0, 0);
    save.disabled = true; save.textContent = "Saving…";
    out.toBlob(function (blob) {
      var dt = new DataTransfer();
      dt.items.add(new File([blob], "mask.png", { type: "image/png" }));
      form.querySelector("[data-brush-file]").files = dt.files;
      form.submit();
    }, "image/png");
  });
  var loaded = 0;
  function ready() {
    if (++loaded < 2) { return; }
    w = photo.naturalWidth; h = photo.naturalHeight;
    canvas.width = w; canvas.height = h;
    tint = layer(); model = maskToAlpha(maskImg); edited = layer();
    edited.getContext("2d").drawImage(model, 0, 0);
    fitZoom = Math.min(1, (stage.clientWidth - 8) / w, 640 / h);
    setZoom(fitZoom); render();
    status.hidden = true; root.setAttribute("data-ready", "1");
  }
  function failed() { status.textContent = "The photo or its mask could not be loaded; reload the page."; }
  photo.onload = maskImg.onload = ready;
  photo.onerror = maskImg.onerror = failed;
  photo.src = root.getAttribute("data-source");
  maskImg.src = root.getAttribute("data-mask");
}());
