// Sending e-mail through SMTP (nodemailer), configured by SMTP_URL and
// SMTP_FROM. Without SMTP_URL the portal sends nothing and says so; the staff
// and reporter pages still show what happened. Nothing here logs a recipient:
// a reporter's address must not reach any log (errors keep the SMTP reply code
// and the library's message, which names no recipient for the failures we map).
//
// Errors are `MailError`, temporary (unreachable server, 4xx) or permanent
// (5xx): the staff outbox pauses on the first and counts the second against the
// row.
import nodemailer from "nodemailer";
import type { Config } from "./config";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** Language(s) of the text, sent as Content-Language (staff e-mails carry both, Korean first). */
  lang: "ko" | "en" | "ko, en";
}

/** A send that failed; `temporary` when a later retry may succeed (connection refused, 4xx). */
export class MailError extends Error {
  constructor(
    message: string,
    readonly temporary: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MailError";
  }
}

export function isMailError(error: unknown): error is MailError {
  return error instanceof MailError;
}

export interface Mailer {
  readonly configured: boolean;
  send(mail: Mail): Promise<void>;
  close(): void;
}

const notConfigured: Mailer = {
  configured: false,
  send: () => Promise.reject(new MailError("no SMTP server is configured (SMTP_URL)", false)),
  close: () => {},
};

export function createMailer(config: Pick<Config, "SMTP_URL" | "SMTP_FROM">): Mailer {
  if (!config.SMTP_URL) return notConfigured;
  // One connection per message: nothing queued in memory outlives the send, and a server that
  // was down is simply tried again on the next one.
  const transport = nodemailer.createTransport({
    url: config.SMTP_URL,
    logger: false,
    debug: false,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    configured: true,
    async send(mail) {
      try {
        await transport.sendMail({
          from: config.SMTP_FROM,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          headers: { "Content-Language": mail.lang },
          // No tracking, no HTML: a plain text that says there is news and where to read it.
          disableUrlAccess: true,
          disableFileAccess: true,
        });
      } catch (cause) {
        const code = (cause as { responseCode?: number; code?: string }).responseCode;
        const temporary = code === undefined || code < 500;
        throw new MailError(`the mail server did not accept the message (${(cause as { code?: string }).code ?? code ?? "error"})`, temporary, { cause });
      }
    },
    close: () => transport.close(),
  };
}
