-- ADR 030: sign-in back-off per (address, client) replaces the account lock; existing locks and failure counts go with their columns.
ALTER TYPE "public"."staff_event" ADD VALUE 'signin_failures';--> statement-breakpoint
CREATE TABLE "staff_sign_in_backoff" (
	"subject" text NOT NULL,
	"client" text NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"first_failure_at" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"notified_at" timestamp with time zone,
	CONSTRAINT "staff_sign_in_backoff_subject_client_pk" PRIMARY KEY("subject","client")
);
--> statement-breakpoint
CREATE INDEX "staff_sign_in_backoff_last_idx" ON "staff_sign_in_backoff" USING btree ("last_failure_at");--> statement-breakpoint
ALTER TABLE "staff_login_state" DROP COLUMN "failed_attempts";--> statement-breakpoint
ALTER TABLE "staff_login_state" DROP COLUMN "last_failed_at";--> statement-breakpoint
ALTER TABLE "staff_login_state" DROP COLUMN "locked_at";