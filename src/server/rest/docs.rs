//! `/docs`: the human API reference, rendered in the browser by the vendored Swagger UI
//! (`public/assets/api-docs/`) from `/api/v1/openapi.json`. Scripts and styles are files under
//! `/assets` (no inline script or style, no CDN), so the page runs under the dashboard's CSP.

use axum::response::Html;

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Talkdeck API reference</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/assets/api-docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"><noscript>The API reference needs JavaScript. The raw document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript></div>
<script src="/assets/api-docs/swagger-ui-bundle.js"></script>
<script src="/assets/api-docs/docs.js"></script>
</body>
</html>
"#;

pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}
