// The `Onion-Location` header (ADR 043): with ONION_LOCATION set, every HTML page names the same page at the
// portal's onion service, and Tor Browser offers the reporter to switch to it (it honours the header only on a
// page served over https, and ignores it on the onion service itself). The value is the configured origin
// followed by the request's path and query, as the Tor Project's own set-ups send it ($request_uri).

/** The header's value for a page at `url`, or null without ONION_LOCATION. */
export function onionLocationFor(onionOrigin: string | undefined, url: string): string | null {
  if (!onionOrigin) return null;
  const u = new URL(url);
  return `${onionOrigin}${u.pathname}${u.search}`;
}
