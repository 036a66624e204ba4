// Cross-site scripting harness for the Chromium suites: hostile strings, and a
// watch over every page that records anything a payload could make happen
// (a script running, an inline handler or eval refused by the CSP, a dialog, a
// page error, a popup) and checks every document the browser loads: an
// enforced CSP with a fresh nonce and no 'unsafe-inline' for scripts, every
// <script> carrying that nonce, and no hostile markup in the HTML or the DOM.
// It also records every request the browser makes and reports any that leaves
// the portal's origin (THREAT-MODEL §2.6).
import type { Browser, BrowserContext, Page, Request, Response } from "playwright-core";
import { showControls } from "../../app/components/user-text";
import { StaffClient } from "../../app/staff/staff-client";
import { leavesOrigin } from "./browser";
import { totpCode } from "./staff-session";

/**
 * Each vector sets window.__xss (or opens a dialog) if it ever runs. No line
 * terminators, so a value that starts with "javascript:…//" stays one line of
 * script if anything ever builds a URL from it.
 */
export const XSS_VECTORS = [
  `<script>window.__xss=1</script>`,
  `<img src=x onerror="window.__xss=2">`,
  `<svg onload=window.__xss=3>`,
  `<a href="javascript:window.__xss=4">click</a>`,
  `"><iframe srcdoc="&lt;script&gt;parent.__xss=6&lt;/script&gt;"></iframe>`,
  `{{constructor.constructor('window.__xss=5')()}}`,
  `</textarea></title></style><script>window.__xss=7</script>`,
  `'><img src=x onerror=alert(document.domain)>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=8>`,
  "${window.__xss=9}",
  `<script nonce="">window.__xss=10</script>`,
  `&lt;b&gt;&amp;amp;`,
  // Unicode: a right-to-left override, isolates, a zero-width space, fullwidth brackets.
  `\u202Eexe.txt \u2066\u05D0\u05D1\u2069 zero\u200Bwidth \uFF1Cscript\uFF1E`,
] as const;

/** The full set, led by a javascript: URL (for any place a link could be built) and a marker naming the field. */
export const hostile = (marker: string) => `javascript:window.__xss=4//${marker} ${XSS_VECTORS.join(" ")}`;

/** Display names and category names hold at most 100 characters: one or two vectors each. */
export const HOSTILE_NAMES = {
  investigator: `Lee <img src=x onerror="window.__xss=2">`,
  // Plain text that reaches the inline loader data: a script end tag and JavaScript line terminators.
  colleague: `</script><script>window.__xss=1</script>\u2028\u2029<!--{{constructor.constructor('window.__xss=5')()}}`,
  reviewer: `Cloud "><svg onload=window.__xss=3>'><a href=javascript:window.__xss=4>x</a>`,
  admin: `Chief <iframe srcdoc="<script>parent.__xss=6</script>"></iframe>`,
  categoryEn: `"><svg onload=window.__xss=3></option><script>window.__xss=1</script>`,
  categoryKo: `<img src=x onerror=window.__xss=2>부정 \u202Eexe.txt`,
} as const;

/** React's escaping of text and attribute values in server-rendered HTML. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!);

/** A name as the server renders it in text: its controls shown as markers (app/components/user-text.tsx), escaped. */
export const renderedName = (name: string) => escapeHtml(showControls(name));

/** The text of a server-rendered document, still escaped: scripts and tags dropped (React escapes ">" in attribute values, so a tag ends at its first ">"). */
export const htmlText = (html: string) => html.replace(/<script\b[\s\S]*?<\/script>/gi, "").replace(/<[^>]*>/g, "");

/** Markup that must never appear as markup in a response (escaped text is "&lt;…"; loader data escapes "<"). */
const RAW_FRAGMENTS = [
  "<img src=x",
  "<svg onload",
  "<iframe",
  "<script>window.__xss",
  '<script nonce="">',
  "<math>",
  '<a href="javascript:',
  "<a href=javascript:",
];

const INIT_SCRIPT = `(() => {
  const report = (kind, detail) => { try { window.__xssReport(kind, String(detail)); } catch (e) {} };
  let value;
  Object.defineProperty(window, "__xss", { configurable: false, get() { return value; }, set(v) { value = v; report("executed", "window.__xss = " + v); } });
  document.addEventListener("securitypolicyviolation", (e) => report("csp-violation", e.effectiveDirective + " blocked " + (e.blockedURI || "") + " " + (e.sample || "")), true);
})();`;

/** Audits the rendered DOM; a string so that nothing the test compiler adds ends up in the page. */
const domAudit = (nonce: string) => `(() => {
  const nonce = ${JSON.stringify(nonce)};
  const out = [];
  for (const s of document.scripts) if (s.nonce !== nonce) out.push("script without the response's nonce: " + s.outerHTML.slice(0, 160));
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      const v = a.value.toLowerCase().replace(/[\\u0000-\\u0020]/g, "");
      if (n.startsWith("on")) out.push("inline handler " + n + " on <" + el.localName + ">");
      if (n === "srcdoc") out.push("srcdoc on <" + el.localName + ">");
      if (["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "ping"].includes(n) && /^(javascript|vbscript|data:text\\/html)/.test(v)) out.push("script URL in " + n + " of <" + el.localName + ">: " + a.value.slice(0, 80));
    }
  }
  for (const el of document.querySelectorAll("iframe, frame, frameset, object, embed, base, meta[http-equiv], img[src='x'], svg[onload], math, mglyph, body style")) out.push("injected <" + el.localName + ">: " + el.outerHTML.slice(0, 120));
  if (window.__xss !== undefined) out.push("window.__xss = " + window.__xss);
  return out;
})()`;

export interface Incident {
  kind: string;
  detail: string;
  url: string;
}

/** Parses a CSP header; returns the problems with it and its script nonce. */
export function cspProblems(header: string | undefined): { problems: string[]; nonce: string | null } {
  if (!header) return { problems: ["no Content-Security-Policy header"], nonce: null };
  const d = new Map(
    header
      .split(";")
      .map((x) => x.trim().split(/\s+/))
      .filter((x) => x[0])
      .map(([k, ...v]) => [k!.toLowerCase(), v]),
  );
  const problems: string[] = [];
  const scriptSrc = d.get("script-src") ?? d.get("default-src") ?? [];
  const nonces = scriptSrc.filter((t) => t.startsWith("'nonce-"));
  if (nonces.length !== 1) problems.push(`script-src has ${nonces.length} nonces: ${scriptSrc.join(" ")}`);
  const nonce = nonces[0]?.slice(7, -1) ?? null;
  if (nonce !== null && !/^[A-Za-z0-9+/]{22}==$/.test(nonce)) problems.push(`the nonce is not 16 random bytes in base64: ${nonce}`);
  for (const directive of ["script-src", "script-src-elem", "script-src-attr", "default-src"]) {
    for (const token of d.get(directive) ?? []) {
      if (["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "blob:", "http:", "https:"].includes(token.toLowerCase()))
        problems.push(`${directive} allows ${token}`);
    }
  }
  for (const [directive, want] of [
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["frame-ancestors", "'none'"],
  ] as const) {
    if ((d.get(directive) ?? []).join(" ") !== want) problems.push(`${directive} is not ${want}`);
  }
  return { problems, nonce };
}

/** Where a request came from: its worker or frame; a popup's first navigation has no frame yet. */
function requester(r: Request): string {
  try {
    return (r.serviceWorker() ?? r.frame()).url();
  } catch {
    return "";
  }
}

export class XssWatch {
  readonly incidents: Incident[] = [];
  /** Every document checked, with its URL and status. */
  readonly documents: { url: string; status: number; nonce: string | null }[] = [];
  private readonly nonces = new Set<string>();
  private readonly lastNonce = new WeakMap<Page, string>();
  private readonly lastHtml = new WeakMap<Page, string>();
  /** Every request made from the watched contexts' pages and workers: its URL and resource type. */
  readonly requests: { url: string; type: string }[] = [];
  private pending: Promise<void>[] = [];
  private readonly origin: string;

  constructor(
    private readonly browser: Browser,
    portalUrl: string,
  ) {
    this.origin = new URL(portalUrl).origin;
  }

  private request(url: string, type: string, from: string): void {
    this.requests.push({ url, type });
    if (leavesOrigin(url, this.origin)) this.incidents.push({ kind: "third-party-request", detail: `${type} ${url}`, url: from });
  }

  async context(locale = "en-US"): Promise<BrowserContext> {
    const context = await this.browser.newContext({ locale, acceptDownloads: true });
    await context.exposeBinding("__xssReport", ({ frame }, kind: string, detail: string) => {
      this.incidents.push({ kind, detail, url: frame.url() });
    });
    await context.addInitScript({ content: INIT_SCRIPT });
    // The context sees its pages' requests and those of their (service) workers.
    context.on("request", (r) => this.request(r.url(), r.resourceType(), requester(r)));
    return context;
  }

  async page(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    const note = (kind: string, detail: string) => this.incidents.push({ kind, detail, url: page.url() });
    page.on("pageerror", (e) => note("pageerror", String(e)));
    page.on("dialog", (d) => {
      note("dialog", `${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => {});
    });
    page.on("popup", (p) => note("popup", p.url()));
    page.on("websocket", (ws) => this.request(ws.url(), "websocket", page.url()));
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to|hydrat/i.test(m.text())) note("console", m.text());
    });
    page.on("response", (r) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) this.pending.push(this.checkDocument(page, r));
      else if (r.request().isNavigationRequest()) note("frame-navigation", r.url());
    });
    return page;
  }

  private async checkDocument(page: Page, response: Response): Promise<void> {
    const url = response.url();
    const note = (kind: string, detail: string) => void this.incidents.push({ kind, detail, url });
    const headers = await response.allHeaders();
    const { problems, nonce } = cspProblems(headers["content-security-policy"]);
    for (const p of problems) note("csp-header", p);
    if (headers["content-security-policy-report-only"] !== undefined) note("csp-header", "a report-only policy is not enforced");
    if (nonce) {
      if (this.nonces.has(nonce)) note("csp-header", `nonce ${nonce} was used before`);
      this.nonces.add(nonce);
      this.lastNonce.set(page, nonce);
    }
    this.documents.push({ url, status: response.status(), nonce });
    if (response.status() >= 300 && response.status() < 400) return;
    if (!(headers["content-type"] ?? "").startsWith("text/html")) return;
    const html = await response.text().catch(() => null);
    if (html === null) return note("document", "body unavailable");
    this.lastHtml.set(page, html);
    for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
      if (!nonce || !tag.includes(`nonce="${nonce}"`)) note("script-nonce", `served without the response's nonce: ${tag.slice(0, 120)}`);
    }
    for (const fragment of RAW_FRAGMENTS) if (html.includes(fragment)) note("raw-markup", `the HTML holds ${fragment}`);
  }

  /** Waits for the document checks under way. */
  async settle(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      await Promise.all(batch);
    }
  }

  /** Audits the page as rendered now: scripts, attributes, injected elements, window.__xss. */
  async auditDom(page: Page): Promise<void> {
    await this.settle();
    const nonce = this.lastNonce.get(page);
    if (!nonce) {
      this.incidents.push({ kind: "document", detail: "no checked document for this page", url: page.url() });
      return;
    }
    for (const p of (await page.evaluate(domAudit(nonce))) as string[]) this.incidents.push({ kind: "dom", detail: p, url: page.url() });
  }

  /** The server-rendered HTML of the page's last document. */
  async html(page: Page): Promise<string> {
    await this.settle();
    return this.lastHtml.get(page) ?? "";
  }

  take(): Incident[] {
    return this.incidents.splice(0);
  }
}

/** A cookie jar fetch, so that a session signed in from Node can be handed to a browser context. */
function jarFetch(): { fetch: typeof fetch; jar: Map<string, string> } {
  const jar = new Map<string, string>();
  const f: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (jar.size) headers.set("Cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const r = await fetch(input, { ...init, headers });
    for (const c of r.headers.getSetCookie()) {
      const [k, v] = c.split(";")[0]!.split("=");
      if (v) jar.set(k!, v);
      else jar.delete(k!);
    }
    return r;
  };
  return { fetch: f, jar };
}

export interface NodeStaff {
  client: StaffClient;
  cookies: { name: string; value: string }[];
}

/** First sign-in of a CLI-created account from Node (password, authenticator, keys), keeping its session cookie. */
export async function signInFromNode(baseUrl: string, email: string, password: string): Promise<NodeStaff> {
  const { fetch: f, jar } = jarFetch();
  const client = new StaffClient({ baseUrl, fetch: f });
  if ((await client.signIn(email, password)) !== "totp_setup") throw new Error(`${email}: expected the authenticator set-up`);
  const setup = await client.beginTotpSetup();
  await client.finishTotpSetup(totpCode(setup.secret));
  return { client, cookies: [...jar].map(([name, value]) => ({ name, value })) };
}

/** A browser context signed in with a session made from Node; its key is unlocked with the password on the page. */
export async function signedInContext(watch: XssWatch, baseUrl: string, staff: NodeStaff, locale = "en-US"): Promise<BrowserContext> {
  const context = await watch.context(locale);
  await context.addCookies(staff.cookies.map((c) => ({ ...c, url: baseUrl, httpOnly: true, sameSite: "Strict" as const })));
  return context;
}
