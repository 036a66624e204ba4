// The receipt's text file and printout (app/components/receipt-sheet.ts) with the real catalogs: the code, the
// follow-up page at the configured public origin when there is one, the advice in the reader's language.
import { describe, expect, it } from "vitest";
import { followUpUrl, RECEIPT_FILE_NAME, receiptSheet, receiptText } from "../../app/components/receipt-sheet";
import { translator } from "../../app/i18n";
import { en } from "../../app/i18n/en";
import { ko } from "../../app/i18n/ko";

const CODE = "ZP5M-8AC3-H2XP-MYG2-9KGJ";

describe("the receipt sheet", () => {
  it("names the follow-up page at PUBLIC_ORIGIN when it is set, else at the page's origin", () => {
    expect(followUpUrl("https://report.okestro.com", "http://10.0.0.5:3000")).toBe("https://report.okestro.com/status");
    expect(followUpUrl("https://report.okestro.com/", "http://10.0.0.5:3000")).toBe("https://report.okestro.com/status");
    expect(followUpUrl(null, "http://10.0.0.5:3000")).toBe("http://10.0.0.5:3000/status");
  });

  it("is plain text with CRLF lines: title, code, address, advice", () => {
    const text = receiptText(receiptSheet(translator("en"), CODE, "https://report.okestro.com/status"));
    expect(text.split("\r\n")).toEqual([
      en["receipt.sheet.title"],
      "",
      `Your secret receipt code: ${CODE}`,
      "",
      "To follow your report, open https://report.okestro.com/status and enter the code.",
      "",
      en["receipt.advice.title"],
      `- ${en["receipt.advice.1"]}`,
      `- ${en["receipt.advice.2"]}`,
      `- ${en["receipt.advice.3"]}`,
      "",
    ]);
    expect(text).not.toMatch(/(?<!\r)\n/);
  });

  it("speaks Korean to Korean readers, and keeps an ASCII file name", () => {
    const text = receiptText(receiptSheet(translator("ko"), CODE, "https://report.okestro.com/status"));
    expect(text).toContain(`비밀 접수 코드: ${CODE}`);
    expect(text).toContain(ko["receipt.advice.2"]);
    expect(text).not.toContain(en["receipt.advice.2"]);
    expect(RECEIPT_FILE_NAME).toMatch(/^[\x21-\x7e]+$/);
  });
});
