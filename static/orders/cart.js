/* Atelier cart enhancements. Every cart form works without this file (a plain POST, then a redirect back
   with a message); with it, adding to the cart stays on the page, the header count follows, and cart
   changes swap in the cart's fresh HTML. Messages go to the page's aria-live region. No dependencies, no
   inline script (the Content-Security-Policy allows only our own files). */
(function () {
  "use strict";
  var flash = document.querySelector("[data-flash]");

  function announce(text, kind) {
    if (!flash || !text) return;
    var p = document.createElement("p");
    p.className = "flash flash--" + (kind || "success");
    p.textContent = text;
    flash.replaceChildren(p);
  }

  function setCount(count) {
    if (typeof count !== "number") return;
    document.querySelectorAll("[data-cart-count]").forEach(function (el) { el.textContent = String(count); });
  }

  function formData(form, submitter) {
    try { return new FormData(form, submitter || undefined); } catch (e) { return new FormData(form); }
  }

  /* POST the form as fetch; resolves to {ok, data} for JSON answers, rejects for anything else (a CSRF
     failure page, a network error): the caller then falls back to the plain form post. */
  function send(form, submitter) {
    var body = formData(form, submitter);
    var token = body.get("csrfmiddlewaretoken");
    var headers = { "Accept": "application/json" };
    if (token) headers["X-CSRFToken"] = token;
    return fetch(form.action, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) throw new Error("not a JSON answer");
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      });
  }

  function busy(form, on) {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = on; });
    form.toggleAttribute("aria-busy", on);
  }

  function addToCart(form, submitter) {
    busy(form, true);
    send(form, submitter).then(function (answer) {
      busy(form, false);
      setCount(answer.data.count);
      if (answer.ok) announce(answer.data.message, "success");
      else announce(answer.data.error, "error");
    }).catch(function () { form.submit(); });
  }

  /* A change on the cart page: swap in the cart's new HTML and put the focus back where the shopper was. */
  function changeCart(form, submitter) {
    var root = document.querySelector("[data-cart-root]");
    var focusedId = document.activeElement && document.activeElement.id;
    var line = form.closest("[data-cart-line]");
    var lineId = line && line.getAttribute("data-cart-line");
    busy(form, true);
    send(form, submitter).then(function (answer) {
      busy(form, false);
      setCount(answer.data.count);
      if (!answer.ok) { announce(answer.data.error, "error"); return; }
      if (root && typeof answer.data.html === "string") {
        root.innerHTML = answer.data.html;
        var target = (focusedId && document.getElementById(focusedId)) ||
          (lineId && document.getElementById("qty-" + lineId)) ||
          document.querySelector("h1");
        if (target) {
          if (!target.hasAttribute("tabindex") && target.tagName === "H1") target.setAttribute("tabindex", "-1");
          target.focus();
        }
      }
      announce(answer.data.message, "success");
    }).catch(function () { form.submit(); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !window.fetch) return;
    // A button with its own formaction/formmethod (the product page's no-JS "Choose") is not a cart action.
    if (event.submitter && (event.submitter.hasAttribute("formaction") || event.submitter.hasAttribute("formmethod"))) return;
    if (form.matches("form[data-add-to-cart]")) {
      event.preventDefault();
      addToCart(form, event.submitter);
    } else if (form.matches("form[data-cart-change]")) {
      event.preventDefault();
      changeCart(form, event.submitter);
    }
  });

  /* A page restored from the back/forward cache shows the count it had; ask for the current one. */
  window.addEventListener("pageshow", function (event) {
    var link = document.querySelector("[data-cart-count-url]");
    if (!event.persisted || !link || !window.fetch) return;
    fetch(link.getAttribute("data-cart-count-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { setCount(data.count); })
      .catch(function () {});
  });
})();
