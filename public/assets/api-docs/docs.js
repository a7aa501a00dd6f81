// Talkdeck API reference: renders /api/v1/openapi.json with the vendored Swagger UI
// (swagger-ui-dist, Apache-2.0, see LICENSE and NOTICE beside this file). An external file
// rather than an inline script, so the page runs under a CSP without 'unsafe-inline'.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The product's own document only: no validator badge fetched from swagger.io.
    validatorUrl: null,
    tryItOutEnabled: false,
  });
});
