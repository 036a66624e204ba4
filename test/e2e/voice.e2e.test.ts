// Voice reports end to end: Debian's espeak-ng speaks a sentence into a WAV file that Chromium takes as its
// microphone. The reporter records it on the report form, listens to the disguised version and sends it;
// the file the investigator decrypts is audio whose F0 is the configured shift below the original's, and
// in which the original waveform is not found. The investigator's page plays it from a blob: URL under
// the enforced CSP; the follow-up page records one too.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reports } from "../../db/schema";
import { resample, VOICE_DISGUISE } from "../../app/reporter/voice-disguise";
import { decodeWav, type PcmAudio } from "../../app/shared/wav";
import { bestMatch, espeakAvailable, medianF0, semitonesBetween, speak } from "../support/audio";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { decryptReportAsInvestigator } from "../support/investigator";
import { startTestPortal, type TestPortal } from "../support/portal";
import { scanDirectoryForBytes, scanPortal } from "../support/scan";
import { createStaff, PASSWORD } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const ready = chromiumAvailable() && espeakAvailable();
const TITLE = "VOICE-TITLE-MARKER-5521 spoken report";
const SPEECH = "The invoices for the third quarter were approved twice by the same manager, and the payments went to a company owned by his brother.";

/** The loudest `seconds`-long stretch of `samples`. */
function loudest(samples: Float32Array, rate: number, seconds: number): Float32Array {
  const span = Math.round(rate * seconds);
  const step = Math.round(rate * 0.05);
  let best = 0;
  let bestEnergy = -1;
  for (let at = 0; at + span <= samples.length; at += step) {
    let e = 0;
    for (let i = at; i < at + span; i += 4) e += samples[i]! ** 2;
    if (e > bestEnergy) [best, bestEnergy] = [at, e];
  }
  return samples.subarray(best, best + span);
}

describe.skipIf(!ready)("voice reports in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let original: PcmAudio;
  let reportId: string;
  let caseNumber: string;
  let receipt: string;
  const errors: string[] = [];
  const workerScripts: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "voice-"));
    const speech = path.join(dir, "speech.wav");
    speak(SPEECH, speech);
    original = decodeWav(readFileSync(speech));
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "voice@okestro.example", ["--name", "Voice Investigator"]);
    browser = await launchChromium({ microphone: speech });
    page = await watchedPage(browser, errors);
    page.on("request", (r) => {
      if (/voice\.worker/.test(r.url())) workerScripts.push(r.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Records through the recorder on the page until `seconds` are taken, then waits for the disguised preview. */
  async function record(seconds: number): Promise<void> {
    // By keyboard: the one button starts and stops, and keeps the focus in between.
    await page.getByRole("button", { name: "Record a voice message" }).focus();
    await page.keyboard.press("Enter");
    const elapsed = page.getByTestId("voice-elapsed");
    await expect
      .poll(async () => Number((await elapsed.textContent())?.match(/(\d+):(\d\d) of/)?.[2] ?? 0), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(seconds);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Stop recording");
    await page.keyboard.press("Enter");
    const preview = page.getByTestId("voice-preview");
    await preview.waitFor({ timeout: 60_000 });
    // Then the focus is on the player, to listen at once.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("voice-preview");
    // The reporter hears the disguised file from a blob: URL; it has a length of its own.
    expect(await preview.getAttribute("src")).toMatch(/^blob:/);
    await expect.poll(() => preview.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 15_000 }).toBeGreaterThan(seconds - 1);
  }

  it("records, disguises and sends a voice message with the report; the investigator gets the voice moved by the configured shift", async () => {
    const response = await page.goto(`${portal.url}/report?lang=en`);
    expect(response!.headers()["permissions-policy"]).toContain("microphone=(self)");
    await expect.poll(() => page.getByRole("button", { name: "Encrypt and submit" }).isEnabled()).toBe(true);
    await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await page.getByLabel(/^Title/).fill(TITLE);
    await page.getByLabel(/^Description/).fill("Please listen to the voice message.");
    const speechSeconds = original.samples.length / original.sampleRate;
    await record(Math.ceil(speechSeconds) + 1);
    // Record again and discard work, and leave the form as it was.
    await page.getByRole("button", { name: "Discard the recording" }).click();
    expect(await page.getByTestId("voice-preview").count()).toBe(0);
    await record(Math.ceil(speechSeconds) + 1);
    // A voice message is an optional item: its consent is asked next to it.
    await page.locator('input[name="consentOptional"]').check();
    await page.locator('input[name="consentReport"]').check();
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    // The disguise ran in its Web Worker, not on the page's thread.
    expect(workerScripts.length).toBeGreaterThan(0);
    receipt = (await page.getByTestId("receipt-code").textContent({ timeout: 60_000 }))!.trim();
    caseNumber = (await page.getByTestId("case-number").textContent())!.trim();

    const [row] = await portal.services.db.select().from(reports);
    reportId = row!.id;
    const got = await decryptReportAsInvestigator(portal.services, reportId, "voice@okestro.example", PASSWORD);
    expect(got.files.map((f) => [f.name, f.type])).toEqual([["voice-message.wav", "audio/wav"]]);
    const voice = decodeWav(got.files[0]!.bytes);
    expect(voice.sampleRate).toBe(VOICE_DISGUISE.outputRate);
    expect(voice.samples.length / voice.sampleRate).toBeGreaterThan(speechSeconds);

    // F0 moved by the configured shift, over the same speech (espeak-ng's intonation varies within it).
    const before = medianF0(original.samples, original.sampleRate);
    // Chromium loops the file: the first loop period of the message holds every part of the speech once.
    const oneLoop = voice.samples.subarray(0, Math.round(speechSeconds * voice.sampleRate));
    const after = medianF0(oneLoop, voice.sampleRate);
    expect(before).toBeGreaterThan(70);
    expect(Math.abs(semitonesBetween(before, after) - VOICE_DISGUISE.semitones)).toBeLessThan(0.6);

    // The original waveform is not in it: no second of the message matches the speech (looped, as Chromium
    // plays it) at any lag, while a second of the speech itself matches fully.
    const speech16k = resample(original.samples, original.sampleRate / VOICE_DISGUISE.outputRate);
    const looped = new Float32Array(speech16k.length * 3);
    for (let i = 0; i < 3; i++) looped.set(speech16k, i * speech16k.length);
    expect(bestMatch(loudest(speech16k, 16_000, 1), looped)).toBeGreaterThan(0.99);
    expect(bestMatch(loudest(voice.samples, 16_000, 1), looped)).toBeLessThan(0.5);

    // Nothing in plaintext at rest: neither the title nor the audio file's bytes.
    expect(await scanPortal(portal, ["VOICE-TITLE-MARKER-5521"])).toEqual([]);
    const wav = got.files[0]!.bytes;
    // Needles of speech, not of silence (64 zero bytes are everywhere): from the loudest sample on.
    let peak = 0;
    voice.samples.forEach((v, i) => {
      if (Math.abs(v) > Math.abs(voice.samples[peak]!)) peak = i;
    });
    const from = Math.min(44 + 2 * peak, wav.length - 64);
    const speechBytes = wav.subarray(from, from + 64);
    expect(new Set(speechBytes).size).toBeGreaterThan(16);
    const needles = [
      { label: "wav head", bytes: wav.subarray(0, 64) },
      { label: "wav speech", bytes: speechBytes },
    ];
    expect(await scanDirectoryForBytes(portal.services.config.paths.blobs, needles)).toEqual([]);
    expect(await scanDirectoryForBytes(portal.services.config.paths.pglite, needles)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("adds a voice message from the follow-up page", async () => {
    await page.goto(`${portal.url}/status?lang=en`);
    await page.locator('input[name="receipt"]').fill(receipt);
    await page.getByRole("button", { name: "Open my case" }).click();
    await page.getByTestId("case-title").waitFor({ timeout: 30_000 });
    // Sending while still recording is held back with a word why, not sent without the message.
    await page.getByRole("button", { name: "Record a voice message" }).click();
    await page.getByTestId("voice-elapsed").waitFor();
    await page.getByRole("button", { name: "Encrypt and upload" }).click();
    await expect(page.getByTestId("voice-unfinished").textContent()).resolves.toMatch(/not finished/);
    await page.getByRole("button", { name: "Stop recording" }).click();
    await page.getByTestId("voice-preview").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("voice-unfinished").count()).toBe(0);
    await page.getByRole("button", { name: "Discard the recording" }).click();
    await record(2);
    await page.getByRole("button", { name: "Encrypt and upload" }).click();
    await expect.poll(() => page.locator("body").textContent(), { timeout: 30_000 }).toContain("Added to your case: 1 file(s).");
    // Sent: the form is reset and the recorder with it.
    expect(await page.getByTestId("voice-preview").count()).toBe(0);
    const got = await decryptReportAsInvestigator(portal.services, reportId, "voice@okestro.example", PASSWORD);
    expect(got.files.map((f) => f.type)).toEqual(["audio/wav", "audio/wav"]);
    const second = got.files.map((f) => decodeWav(f.bytes)).find((a) => a.samples.length / a.sampleRate < 5)!;
    expect(semitonesBetween(medianF0(original.samples, original.sampleRate), medianF0(second.samples, second.sampleRate))).toBeLessThan(-3);
    expect(errors).toEqual([]);
  });

  it("plays the decrypted voice message on the investigator's case page under the CSP, and no file that only claims to be WAV", async () => {
    // From the reporter's page still open: a file typed audio/wav that is not 16-bit PCM WAV.
    await page
      .locator('input[name="attachments"]')
      .setInputFiles({ name: "evil.wav", mimeType: "audio/wav", buffer: Buffer.from("RIFF\0\0\0\0WAVE<script>alert(1)</script>") });
    await page.getByRole("button", { name: "Encrypt and upload" }).click();
    await expect.poll(() => page.locator("body").textContent(), { timeout: 30_000 }).toContain("Download evil.wav");
    const staff = await watchedPage(browser, errors);
    await signInFirstTimeInBrowser(staff, portal.url, "voice@okestro.example", /\/staff\?/);
    await staff.getByRole("link", { name: caseNumber }).click({ timeout: 30_000 });
    await staff.getByTestId("staff-case-title").waitFor({ timeout: 30_000 });
    await staff.getByRole("button", { name: "Play voice-message.wav" }).first().click();
    const audio = staff.getByTestId("attachment-audio");
    await audio.waitFor({ timeout: 30_000 });
    expect(await audio.getAttribute("src")).toMatch(/^blob:/);
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 15_000 }).toBeGreaterThan(1);
    await staff.getByRole("button", { name: "Play evil.wav" }).click();
    await expect(staff.getByRole("alert").filter({ hasText: "cannot be played here" }).textContent({ timeout: 30_000 })).resolves.toMatch(
      /Download it instead/,
    );
    expect(await staff.getByTestId("attachment-audio").count()).toBe(0);
    const csp = (await staff.evaluate(() => fetch(location.href).then((r) => r.headers.get("content-security-policy"))))!;
    expect(csp).toContain("media-src blob:");
    expect(csp).not.toContain("unsafe-inline");
    const policy = (await staff.evaluate(() => fetch(location.href).then((r) => r.headers.get("permissions-policy"))))!;
    expect(policy).toContain("microphone=()");
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!chromiumAvailable())("voice recorder without a microphone", () => {
  let portal: TestPortal;
  let browser: Browser;

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "nomic@okestro.example");
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("says honestly that nothing can be recorded, and the form still works", async () => {
    const errors: string[] = [];
    const page = await watchedPage(browser, errors);
    await page.goto(`${portal.url}/report?lang=en`);
    await expect.poll(() => page.getByRole("button", { name: "Encrypt and submit" }).isEnabled()).toBe(true);
    await page.getByRole("button", { name: "Record a voice message" }).click();
    await expect(page.getByTestId("voice-error").textContent({ timeout: 30_000 })).resolves.toMatch(
      /No microphone was found|Permission to use the microphone was refused/,
    );
    expect(await page.getByRole("button", { name: "Record a voice message" }).isEnabled()).toBe(true);
    expect(errors).toEqual([]);
  });
});
