CREATE TYPE "public"."privacy_outcome" AS ENUM('granted', 'refused');--> statement-breakpoint
CREATE TYPE "public"."privacy_refusal" AS ENUM('legal_hold', 'legal_retention');--> statement-breakpoint
CREATE TYPE "public"."hold_reason" AS ENUM('litigation', 'regulatory_inquiry', 'law_enforcement', 'internal_investigation');--> statement-breakpoint
CREATE TYPE "public"."retention_basis" AS ENUM('ecommerce_transactions', 'ecommerce_complaints', 'ecommerce_advertising', 'national_tax', 'electronic_financial', 'communications_secrets', 'credit_information', 'value_added_tax');--> statement-breakpoint
ALTER TYPE "public"."provision_end" ADD VALUE 'expired';--> statement-breakpoint
ALTER TYPE "public"."share_state" ADD VALUE 'expired';--> statement-breakpoint
CREATE TABLE "archive_envelopes" (
	"archive_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"envelope" "bytea" NOT NULL,
	"granted_on" date NOT NULL,
	CONSTRAINT "archive_envelopes_archive_id_staff_user_id_pk" PRIMARY KEY("archive_id","staff_user_id")
);
--> statement-breakpoint
CREATE TABLE "archive_files" (
	"archive_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"blob_key" text NOT NULL,
	"ciphertext_bytes" bigint NOT NULL,
	"file_key_ct" "bytea" NOT NULL,
	CONSTRAINT "archive_files_archive_id_file_id_pk" PRIMARY KEY("archive_id","file_id"),
	CONSTRAINT "archive_files_blob_key_unique" UNIQUE("blob_key")
);
--> statement-breakpoint
CREATE TABLE "archives" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_number" text NOT NULL,
	"legal_basis" "retention_basis" NOT NULL,
	"archived_on" date NOT NULL,
	"archived_by" uuid NOT NULL,
	"retain_until" date NOT NULL,
	"package_ct" "bytea" NOT NULL,
	CONSTRAINT "archives_case_number_unique" UNIQUE("case_number")
);
--> statement-breakpoint
CREATE TABLE "legal_holds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"reason" "hold_reason" NOT NULL,
	"placed_on" date NOT NULL,
	"placed_by" uuid NOT NULL,
	"lifted_on" date,
	"lifted_by" uuid,
	CONSTRAINT "legal_holds_lift" CHECK (("legal_holds"."lifted_on" is null) = ("legal_holds"."lifted_by" is null))
);
--> statement-breakpoint
ALTER TABLE "privacy_requests" ADD COLUMN "outcome" "privacy_outcome";--> statement-breakpoint
ALTER TABLE "privacy_requests" ADD COLUMN "refusal_reason" "privacy_refusal";--> statement-breakpoint
ALTER TABLE "privacy_requests" ADD COLUMN "refusal_basis" text;--> statement-breakpoint
ALTER TABLE "archive_envelopes" ADD CONSTRAINT "archive_envelopes_archive_id_archives_id_fk" FOREIGN KEY ("archive_id") REFERENCES "public"."archives"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archive_envelopes" ADD CONSTRAINT "archive_envelopes_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archive_files" ADD CONSTRAINT "archive_files_archive_id_archives_id_fk" FOREIGN KEY ("archive_id") REFERENCES "public"."archives"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archives" ADD CONSTRAINT "archives_archived_by_staff_users_id_fk" FOREIGN KEY ("archived_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_placed_by_staff_users_id_fk" FOREIGN KEY ("placed_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_lifted_by_staff_users_id_fk" FOREIGN KEY ("lifted_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "archives_retain_idx" ON "archives" USING btree ("retain_until");--> statement-breakpoint
CREATE INDEX "legal_holds_report_idx" ON "legal_holds" USING btree ("report_id");