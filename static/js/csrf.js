// The CSRF token Django puts in the body's hx-headers (htmx sends it; fetch calls add it).

export function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}
