// End to end in Chromium (issue 19, ADR 045): files carrying GPS positions, authors, camera and
// software tags, written by Debian's exiftool, are chosen in the report form; the page says what
// it found, cleans them in its metadata worker before encryption, and the files an investigator
// decrypts carry none of it (read again with exiftool), while their content is intact: the
// pictures decode to the same pixels in Chromium, the PDF and the document have the same text.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { eq } from "drizzle-orm";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { PDFDict, PDFDocument, PDFName, PDFString, StandardFonts } from "pdf-lib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reports } from "../../db/schema";
import { chromiumAvailable } from "../support/browser";
import { exiftoolAvailable, exiftoolRead, exiftoolWrite, heifConvertAvailable, pdftotextAvailable, pdfText } from "../support/exiftool";
import { decryptReportAsInvestigator } from "../support/investigator";
import type { TestPortal } from "../support/portal";
import { PASSWORD } from "../support/staff";
import { closeReporterBrowser, openReporterBrowser } from "../support/reporter-browser";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const ready = chromiumAvailable() && exiftoolAvailable() && pdftotextAvailable();
const MARKERS = ["Kim Whistle", "SecretCam", "LeakSoft", "SN-778899", "Secret Holdings", "Park Original", "kim@secret.example"];
const IMAGE_TAGS = [
  "-GPSLatitude=37.5665",
  "-GPSLatitudeRef=N",
  "-GPSLongitude=126.978",
  "-GPSLongitudeRef=E",
  "-Make=SecretCam",
  "-Model=SecretCam X1",
  "-SerialNumber=SN-778899",
  "-Artist=Kim Whistle",
  "-Software=LeakSoft 3",
  "-XMP-dc:Creator=Kim Whistle",
  "-XMP-xmp:CreatorTool=LeakSoft 3",
];
const DOC_TEXT = "The ledger is kept in the basement";

/**
 * What of the markers exiftool still finds in a file, and any GPS, thumbnail, author or camera tag. The ICC colour
 * profile is kept on purpose (colours): its header names the profile's maker and device class, not the reporter's.
 */
function identifying(file: string): string[] {
  const tags = exiftoolRead(file);
  const json = JSON.stringify(tags);
  return [
    ...MARKERS.filter((m) => json.includes(m)),
    ...Object.keys(tags).filter(
      (k) => /GPS|Thumbnail|Author|Creator$|LastModifiedBy|Company|Template|Artist|Make$|Model$/i.test(k) && !/^(File|System|Composite|ICC[\w-]*):/.test(k),
    ),
  ];
}

/** A PNG, a JPEG and a WebP of the same drawing, encoded by Chromium itself. */
async function drawPictures(page: Page): Promise<Record<"png" | "jpeg" | "webp", Buffer>> {
  const out = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 48);
    const g = canvas.getContext("2d")!;
    const grad = g.createLinearGradient(0, 0, 64, 48);
    grad.addColorStop(0, "#c03");
    grad.addColorStop(1, "#09c");
    g.fillStyle = grad;
    g.fillRect(0, 0, 64, 48);
    g.fillStyle = "#fff";
    g.fillRect(8, 8, 20, 12);
    const b64 = async (type: string) => {
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type, quality: 0.9 })).arrayBuffer());
      let s = "";
      for (const x of bytes) s += String.fromCharCode(x);
      return btoa(s);
    };
    return { png: await b64("image/png"), jpeg: await b64("image/jpeg"), webp: await b64("image/webp") };
  });
  return { png: Buffer.from(out.png, "base64"), jpeg: Buffer.from(out.jpeg, "base64"), webp: Buffer.from(out.webp, "base64") };
}

/** Decodes both pictures in Chromium (orientation applied) and compares their pixels. */
async function samePixels(page: Page, a: Uint8Array, b: Uint8Array): Promise<{ equal: boolean; width: number; height: number }> {
  return page.evaluate(
    async ([x, y]) => {
      const pixels = async (b64: string) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes]));
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const g = canvas.getContext("2d")!;
        g.drawImage(bitmap, 0, 0);
        return { data: g.getImageData(0, 0, bitmap.width, bitmap.height).data, width: bitmap.width, height: bitmap.height };
      };
      const [p, q] = [await pixels(x), await pixels(y)];
      return { equal: p.width === q.width && p.height === q.height && p.data.every((v, i) => v === q.data[i]), width: p.width, height: p.height };
    },
    [Buffer.from(a).toString("base64"), Buffer.from(b).toString("base64")] as const,
  );
}

function docx(): Uint8Array {
  const w = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`;
  return zipSync({
    "[Content_Types].xml": strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`,
    ),
    "_rels/.rels": strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    ),
    "word/document.xml": strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${w}><w:body><w:p><w:ins w:id="1" w:author="Kim Whistle" w:date="2026-01-01T00:00:00Z"><w:r><w:t>${DOC_TEXT}</w:t></w:r></w:ins></w:p></w:body></w:document>`,
    ),
    "word/comments.xml": strToU8(
      `<?xml version="1.0"?><w:comments ${w}><w:comment w:id="0" w:author="Kim Whistle" w:initials="KW"><w:p><w:r><w:t>Check this</w:t></w:r></w:p></w:comment></w:comments>`,
    ),
    "word/people.xml": strToU8(
      `<?xml version="1.0"?><w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><w15:person w15:author="Kim Whistle"><w15:presenceInfo w15:providerId="AD" w15:userId="kim@secret.example"/></w15:person></w15:people>`,
    ),
    "docProps/core.xml": strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Kim Whistle</dc:creator><cp:lastModifiedBy>Kim Whistle</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created></cp:coreProperties>`,
    ),
    "docProps/app.xml": strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Template>SecretCam.dotm</Template><Application>LeakSoft 3</Application><Company>Secret Holdings</Company></Properties>`,
    ),
    // SharePoint's data about the document, and an OLE object the cleaner leaves (and names).
    "customXml/item1.xml": strToU8(`<p:properties><Author>Kim Whistle</Author><Email>kim@secret.example</Email></p:properties>`),
    "word/embeddings/oleObject1.bin": Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  });
}

const xmlText = (bytes: Uint8Array) => strFromU8(unzipSync(bytes)["word/document.xml"]!).replace(/<[^>]+>/g, "");

describe.skipIf(!ready)("identifying metadata removed in the browser before encryption", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const workers: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ portal, browser, page, dir } = await openReporterBrowser("cor-metadata-", { workers, pageErrors }));
  });

  afterAll(() => closeReporterBrowser({ portal, browser, page, dir }));

  async function fillReport(p: Page, title: string) {
    await p.goto(`${portal.url}/report?lang=en`);
    const submit = p.getByRole("button", { name: "Encrypt and submit" });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await p.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await p.getByLabel(/^Title/).fill(title);
    await p.getByLabel(/^Description/).fill("Files attached.");
    return submit;
  }

  async function submitAndDecrypt(p: Page, submit: ReturnType<Page["getByRole"]>) {
    await p.locator('input[name="consentReport"]').check();
    await p.locator('input[name="consentOptional"]').check();
    await submit.click();
    const caseNumber = (await p.getByTestId("case-number").textContent({ timeout: 120_000 }))!.trim();
    const [row] = await portal.services.db.select().from(reports).where(eq(reports.caseNumber, caseNumber));
    return decryptReportAsInvestigator(portal.services, row!.id, "lee@okestro.example", PASSWORD);
  }

  it("removes GPS, camera, author and software details from JPEG, PNG, WebP, HEIC, PDF and DOCX, and keeps their content", async () => {
    await page.goto(`${portal.url}/report?lang=en`);
    const pictures = await drawPictures(page);
    const files: Record<string, string> = {};
    const put = async (name: string, bytes: Uint8Array) => {
      files[name] = path.join(dir, name);
      await writeFile(files[name]!, bytes);
    };
    await put("photo.jpg", pictures.jpeg);
    await put("screen.png", pictures.png);
    await put("picture.webp", pictures.webp);
    await put("camera.heic", await readFile(path.join(import.meta.dirname, "../fixtures/metadata/tiny.heic")));
    await put("thumb.jpg", pictures.jpeg);
    exiftoolWrite(files["photo.jpg"]!, [...IMAGE_TAGS, "-IPTC:By-line=Kim Whistle", "-Orientation#=6", `-ThumbnailImage<=${files["thumb.jpg"]}`]);
    exiftoolWrite(files["screen.png"]!, [...IMAGE_TAGS, "-PNG:Author=Kim Whistle", "-PNG:Software=LeakSoft 3"]);
    exiftoolWrite(files["picture.webp"]!, IMAGE_TAGS);
    exiftoolWrite(files["camera.heic"]!, IMAGE_TAGS);
    // The PDF: made with an author, then given another by exiftool as an incremental update (the first stays in the file).
    const pdf = await PDFDocument.create();
    pdf.addPage([300, 120]).drawText(DOC_TEXT, { x: 10, y: 60, size: 12, font: await pdf.embedFont(StandardFonts.Helvetica) });
    // A literal string (pdf-lib's setAuthor writes UTF-16 hex), so the earlier revision can be looked for in the bytes.
    pdf.context.lookup(pdf.context.trailerInfo.Info, PDFDict).set(PDFName.of("Author"), PDFString.of("Park Original"));
    await put("ledger.pdf", await pdf.save({ useObjectStreams: false }));
    exiftoolWrite(files["ledger.pdf"]!, ["-PDF:Author=Kim Whistle", "-PDF:Creator=LeakSoft 3", "-XMP-dc:Creator=Kim Whistle"]);
    // exiftool cannot write Office files: the document is made here with what an office suite writes, and read by exiftool.
    await put("memo.docx", docx());
    await put("notes.txt", new TextEncoder().encode("plain notes"));
    const chosen = ["photo.jpg", "screen.png", "picture.webp", "camera.heic", "ledger.pdf", "memo.docx", "notes.txt"];
    const originals = Object.fromEntries(await Promise.all(chosen.map(async (n) => [n, new Uint8Array(await readFile(files[n]!))] as const)));
    // The fixtures carry what the test looks for, so the checks below can fail.
    for (const name of chosen.slice(0, 6)) expect(identifying(files[name]!), name).toContain("Kim Whistle");
    expect(Buffer.from(originals["ledger.pdf"]!).includes("Park Original")).toBe(true);

    const submit = await fillReport(page, "Photos and papers");
    await page.locator('input[name="attachments"]').setInputFiles(chosen.map((n) => files[n]!));
    const statuses = page.getByTestId("file-cleaning-status");
    await expect.poll(async () => (await statuses.allTextContents()).filter((s) => !s.startsWith("Checking")).length, { timeout: 60_000 }).toBe(chosen.length);
    const texts = await statuses.allTextContents(); // listed in the order chosen
    const status = (name: string) => texts[chosen.indexOf(name)]!;
    for (const name of ["photo.jpg", "screen.png", "picture.webp", "camera.heic"])
      expect(status(name), name).toMatch(/^Found and removed before encryption: .*GPS position.*camera or phone model/);
    expect(status("photo.jpg")).toMatch(/embedded thumbnail/);
    expect(status("ledger.pdf")).toMatch(/author.*earlier versions of the file/);
    expect(status("memo.docx")).toMatch(/author.*company or manager.*document-management data/);
    await expect
      .poll(() => page.getByTestId("file-cleaning-kept").allTextContents())
      .toEqual([expect.stringMatching(/^Not cleaned inside this file: embedded objects/)]);
    expect(status("notes.txt")).toMatch(/^This type of file is not cleaned/);
    expect(
      workers.some((u) => /clean\.worker/.test(u)),
      workers.join(", "),
    ).toBe(true);

    const got = await submitAndDecrypt(page, submit);
    const byName = Object.fromEntries(got.files.map((f) => [f.name, f.bytes]));
    expect(Object.keys(byName).sort()).toEqual([...chosen].sort());
    for (const name of chosen.slice(0, 6)) {
      const out = path.join(dir, `decrypted-${name}`);
      await writeFile(out, byName[name]!);
      expect(identifying(out), name).toEqual([]);
      expect(
        MARKERS.filter((m) => Buffer.from(byName[name]!).includes(m)),
        name,
      ).toEqual([]);
    }
    // Content intact: the same pixels (the JPEG still turned by its orientation), the same text.
    for (const name of ["photo.jpg", "screen.png", "picture.webp"]) {
      const same = await samePixels(page, originals[name]!, byName[name]!);
      expect(same.equal, name).toBe(true);
      if (name === "photo.jpg") expect([same.width, same.height]).toEqual([48, 64]);
    }
    // Chromium does not decode HEIC: every byte that changed was blanked (the Exif and XMP items), the file kept its size.
    const heic = byName["camera.heic"]!;
    expect(heic.length).toBe(originals["camera.heic"]!.length);
    expect(heic.every((b, i) => b === originals["camera.heic"]![i] || b === 0)).toBe(true);
    if (heifConvertAvailable()) {
      // Decoded by libheif's tool (required under CI), the pictures compare too.
      const [a, b] = [path.join(dir, "a.png"), path.join(dir, "b.png")];
      await writeFile(path.join(dir, "b.heic"), heic);
      expect(spawnSync("heif-convert", [files["camera.heic"]!, a]).status).toBe(0);
      expect(spawnSync("heif-convert", [path.join(dir, "b.heic"), b]).status).toBe(0);
      expect((await samePixels(page, await readFile(a), await readFile(b))).equal).toBe(true);
    }
    await writeFile(path.join(dir, "decrypted-ledger.pdf"), byName["ledger.pdf"]!);
    const text = pdfText(path.join(dir, "decrypted-ledger.pdf"));
    expect(text).toContain(DOC_TEXT);
    expect(text).toBe(pdfText(files["ledger.pdf"]!));
    expect(xmlText(byName["memo.docx"]!)).toBe(xmlText(originals["memo.docx"]!));
    expect(Buffer.from(byName["notes.txt"]!).equals(Buffer.from(originals["notes.txt"]!))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("sends the original instead when the reporter chooses it", async () => {
    const original = path.join(dir, "photo.jpg"); // with its tags, from the test above
    const bytes = await readFile(original);
    const submit = await fillReport(page, "The original photo");
    await page.locator('input[name="attachments"]').setInputFiles(original);
    const choice = page.getByLabel("Send the original file instead, with these details");
    await choice.waitFor({ timeout: 60_000 });
    await choice.focus();
    await page.keyboard.press("Space"); // by keyboard
    await expect
      .poll(() => page.getByTestId("file-cleaning-status").textContent())
      .toMatch(/^Found: .*GPS position.*The original file will be sent with them\.$/);
    const got = await submitAndDecrypt(page, submit);
    expect(Buffer.from(got.files[0]!.bytes).equals(bytes)).toBe(true);
  });

  it("cleans a file added on the follow-up page too", async () => {
    const tagged = path.join(dir, "photo.jpg"); // with its tags, from the first test
    const submit = await fillReport(page, "Follow-up with a photo");
    await page.locator('input[name="consentReport"]').check();
    await submit.click();
    const receipt = (await page.getByTestId("receipt-code").textContent({ timeout: 120_000 }))!.trim();
    const caseNumber = (await page.getByTestId("case-number").textContent())!.trim();
    await page.goto(`${portal.url}/status?lang=en`);
    await page.locator('input[name="receipt"]').fill(receipt);
    await page.getByRole("button", { name: "Open my case" }).click();
    await page.getByTestId("case-title").waitFor({ timeout: 30_000 });
    await page.locator('input[name="attachments"]').setInputFiles(tagged);
    await expect
      .poll(() => page.getByTestId("file-cleaning-status").textContent(), { timeout: 60_000 })
      .toMatch(/^Found and removed before encryption: .*GPS position/);
    await page.getByRole("button", { name: "Encrypt and upload" }).click();
    await expect.poll(() => page.locator("body").textContent(), { timeout: 60_000 }).toContain("Download photo.jpg");
    const [row] = await portal.services.db.select().from(reports).where(eq(reports.caseNumber, caseNumber));
    const got = await decryptReportAsInvestigator(portal.services, row!.id, "lee@okestro.example", PASSWORD);
    expect(got.files.map((f) => f.name)).toEqual(["photo.jpg"]);
    const out = path.join(dir, "decrypted-followup.jpg");
    await writeFile(out, got.files[0]!.bytes);
    expect(identifying(out)).toEqual([]);
    expect((await samePixels(page, await readFile(tagged), got.files[0]!.bytes)).equal).toBe(true);
  });

  it("stops sending when a file still being cleaned turns out malformed, so the reporter sees its note first", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const p = await context.newPage();
    // The metadata worker's script is held back until the report has been submitted.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await p.route(/clean\.worker/, async (route) => {
      await held;
      await route.continue();
    });
    const submit = await fillReport(p, "A broken photo");
    // A JPEG whose first segment claims more bytes than the file has.
    const broken = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0, 1, 2, 3]);
    await p.locator('input[name="attachments"]').setInputFiles({ name: "broken.jpg", mimeType: "image/jpeg", buffer: broken });
    expect(await p.getByTestId("file-cleaning-status").textContent()).toMatch(/^Checking/);
    await p.locator('input[name="consentReport"]').check();
    await p.locator('input[name="consentOptional"]').check();
    const stored = async () => (await portal.services.db.select().from(reports)).length;
    const before = await stored();
    await submit.click();
    release();
    await expect.poll(() => p.getByRole("alert").first().textContent(), { timeout: 60_000 }).toMatch(/could not be cleaned.*Nothing has been sent yet/);
    expect(await p.getByTestId("file-cleaning-status").textContent()).toMatch(/could not be read.*sent as it is: metadata may remain/);
    expect(await stored()).toBe(before); // nothing was submitted
    // Sent again, knowingly: the file goes as it is.
    await submit.click();
    const caseNumber = (await p.getByTestId("case-number").textContent({ timeout: 120_000 }))!.trim();
    const [row] = await portal.services.db.select().from(reports).where(eq(reports.caseNumber, caseNumber));
    const got = await decryptReportAsInvestigator(portal.services, row!.id, "lee@okestro.example", PASSWORD);
    expect(Buffer.from(got.files[0]!.bytes).equals(broken)).toBe(true);
    expect(await stored()).toBe(before + 1);
    await context.close();
  });

  it("cleans in the page itself when the metadata worker cannot start", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const p = await context.newPage();
    const started: string[] = [];
    p.on("worker", (w) => started.push(w.url()));
    await p.route(/clean\.worker/, (route) => route.abort()); // as a blocking extension or an old browser would leave it
    const tagged = path.join(dir, "photo.jpg");
    const submit = await fillReport(p, "Cleaned without a worker");
    await p.locator('input[name="attachments"]').setInputFiles(tagged);
    await expect
      .poll(() => p.getByTestId("file-cleaning-status").textContent(), { timeout: 60_000 })
      .toMatch(/^Found and removed before encryption: .*GPS position/);
    const got = await submitAndDecrypt(p, submit);
    expect(started.some((u) => /clean\.worker/.test(u))).toBe(false);
    const out = path.join(dir, "decrypted-in-page.jpg");
    await writeFile(out, got.files[0]!.bytes);
    expect(identifying(out)).toEqual([]);
    await context.close();
  });
});
