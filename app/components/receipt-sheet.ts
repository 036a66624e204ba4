// What the reporter keeps of the receipt, as a text file and as a printout: the secret code, the address of
// the follow-up page and how to keep it safe. Nothing of the case (not even its number): whoever finds the
// file or the paper should learn no more than the code itself gives away.
import type { Translate } from "../i18n";

export interface ReceiptSheet {
  title: string;
  codeLabel: string;
  code: string;
  followUp: string;
  adviceTitle: string;
  advice: string[];
}

/** Where the reporter comes back: the configured public origin (the address people are told), else this page's. */
export function followUpUrl(publicOrigin: string | null, pageOrigin: string): string {
  return `${(publicOrigin ?? pageOrigin).replace(/\/+$/, "")}/status`;
}

export function receiptSheet(t: Translate, code: string, url: string): ReceiptSheet {
  return {
    title: t("receipt.sheet.title"),
    codeLabel: t("receipt.codeLabel"),
    code,
    followUp: t("receipt.sheet.followUp", { url }),
    adviceTitle: t("receipt.advice.title"),
    advice: [t("receipt.advice.1"), t("receipt.advice.2"), t("receipt.advice.3")],
  };
}

/** The sheet as plain UTF-8 text, CRLF line ends so that every editor (old Windows Notepad too) shows its lines. */
export function receiptText(sheet: ReceiptSheet): string {
  const lines = [sheet.title, "", `${sheet.codeLabel}: ${sheet.code}`, "", sheet.followUp, "", sheet.adviceTitle, ...sheet.advice.map((a) => `- ${a}`)];
  return `${lines.join("\r\n")}\r\n`;
}

/** Named for what it is, not for the case: the same in both languages, ASCII so that every system keeps it. */
export const RECEIPT_FILE_NAME = "secret-receipt-code.txt";
