// Links marked data-add-tz (report CSVs) ask the server for times in this browser's time zone.
export function addTimeZone(root = document) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  for (const link of root.querySelectorAll("a[data-add-tz]")) {
    const url = new URL(link.href, document.baseURI);
    url.searchParams.set("tz", zone);
    link.href = url.pathname + url.search;
  }
}
