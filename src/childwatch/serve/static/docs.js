// Starts Swagger UI from local files (no CDN, no inline script: the CSP forbids both).
"use strict";
(function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Send the session's CSRF token on unsafe calls made from "Try it out".
    requestInterceptor: function (req) {
      var token = window.__csrf;
      if (token && req.method && !/^(GET|HEAD|OPTIONS)$/i.test(req.method)) {
        req.headers["X-CSRF-Token"] = token;
      }
      return req;
    },
    // A login made from "Try it out" returns the new session's token: keep it.
    responseInterceptor: function (res) {
      if (res && res.body && res.body.csrf_token) { window.__csrf = res.body.csrf_token; }
      return res;
    }
  });
  fetch("/api/me", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (me) { if (me) { window.__csrf = me.csrf_token; } })
    .catch(function () {});
})();
