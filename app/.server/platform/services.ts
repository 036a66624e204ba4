// Everything a request handler needs, built once by the server entry and
// handed to Remix as load context. Route modules reach the database, the blob
// store and the configuration only through this.
import type { AppLoadContext } from "@remix-run/node";
import type { DatabaseHandle, Db } from "../../../db/client";
import type { BlobStore } from "./blob-store";
import type { Config } from "./config";
import type { Logger } from "./log";
import type { Mailer } from "./mailer";
import type { SignInBackoffPolicy } from "./backoff";
import type { ProofOfWorkGate } from "./proof-of-work";
import type { ClientPseudonyms } from "./client-pseudonyms";
import type { PortalSecret } from "./secrets";

export interface Services {
  config: Config;
  database: DatabaseHandle;
  db: Db;
  blobs: BlobStore;
  /** SMTP, or a mailer that says it is not configured. */
  mailer: Mailer;
  log: Logger;
  /** The secret outside the database and the keys derived from it (ADR 027). */
  secret: PortalSecret;
  /** Keyed, daily-rotating pseudonyms of client addresses (for limits only). */
  pseudonyms: ClientPseudonyms;
  /** The current time; tests move it. */
  now(): Date;
  /** Staff sign-in back-off figures (ADR 030); the state is in the database. Tests may loosen them. */
  signInBackoff: SignInBackoffPolicy;
  /** Proof of work for anonymous actions, and the per-client receipt-code limit (state in the database, ADR 032). */
  proofOfWork: ProofOfWorkGate;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    services: Services;
    cspNonce: string;
    /** A rotating keyed hash of the client address: for rate limits only, never stored or logged. */
    clientKey: string;
  }
}

export function services(context: AppLoadContext): Services {
  if (!context.services) throw new Error("request handled without services in the load context");
  return context.services;
}
