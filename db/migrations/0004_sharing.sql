CREATE TYPE "public"."feedback_author" AS ENUM('affiliate', 'investigator');--> statement-breakpoint
CREATE TYPE "public"."legal_basis" AS ENUM('consent', 'policy');--> statement-breakpoint
CREATE TYPE "public"."provision_end" AS ENUM('superseded', 'revoked');--> statement-breakpoint
CREATE TYPE "public"."share_purpose" AS ENUM('fact_finding', 'corrective_action', 'legal_review', 'related_matter');--> statement-breakpoint
CREATE TYPE "public"."share_state" AS ENUM('active', 'revoked');--> statement-breakpoint
CREATE TABLE "share_attachments" (
	"share_id" uuid NOT NULL,
	"attachment_id" uuid NOT NULL,
	"file_key_ct" "bytea" NOT NULL,
	CONSTRAINT "share_attachments_share_id_attachment_id_pk" PRIMARY KEY("share_id","attachment_id")
);
--> statement-breakpoint
CREATE TABLE "share_envelopes" (
	"share_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"envelope" "bytea" NOT NULL,
	"granted_on" date NOT NULL,
	CONSTRAINT "share_envelopes_share_id_staff_user_id_pk" PRIMARY KEY("share_id","staff_user_id")
);
--> statement-breakpoint
CREATE TABLE "share_feedback" (
	"id" uuid PRIMARY KEY NOT NULL,
	"share_id" uuid NOT NULL,
	"author" "feedback_author" NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"body_ct" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "share_provisions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"share_id" uuid NOT NULL,
	"report_id" uuid NOT NULL,
	"affiliate_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"items" text[] NOT NULL,
	"purpose" "share_purpose" NOT NULL,
	"legal_basis" "legal_basis" NOT NULL,
	"retain_until" date,
	"provided_on" date NOT NULL,
	"provided_by" uuid NOT NULL,
	"ended_on" date,
	"end_reason" "provision_end"
);
--> statement-breakpoint
CREATE TABLE "shares" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"affiliate_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"state" "share_state" DEFAULT 'active' NOT NULL,
	"purpose" "share_purpose" NOT NULL,
	"items" text[] NOT NULL,
	"legal_basis" "legal_basis" NOT NULL,
	"retain_until" date,
	"created_on" date NOT NULL,
	"created_by" uuid NOT NULL,
	"updated_on" date NOT NULL,
	"revoked_on" date,
	"package_ct" "bytea",
	"share_key_ct" "bytea",
	"feedback_key_ct" "bytea" NOT NULL,
	CONSTRAINT "shares_revoked_destroyed" CHECK (("shares"."state" = 'active') = ("shares"."package_ct" is not null and "shares"."share_key_ct" is not null))
);
--> statement-breakpoint
ALTER TABLE "share_attachments" ADD CONSTRAINT "share_attachments_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_attachments" ADD CONSTRAINT "share_attachments_attachment_id_attachments_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_envelopes" ADD CONSTRAINT "share_envelopes_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_envelopes" ADD CONSTRAINT "share_envelopes_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_feedback" ADD CONSTRAINT "share_feedback_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_feedback" ADD CONSTRAINT "share_feedback_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_provisions" ADD CONSTRAINT "share_provisions_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_provisions" ADD CONSTRAINT "share_provisions_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_provisions" ADD CONSTRAINT "share_provisions_affiliate_id_affiliates_id_fk" FOREIGN KEY ("affiliate_id") REFERENCES "public"."affiliates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_provisions" ADD CONSTRAINT "share_provisions_provided_by_staff_users_id_fk" FOREIGN KEY ("provided_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_affiliate_id_affiliates_id_fk" FOREIGN KEY ("affiliate_id") REFERENCES "public"."affiliates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "share_envelopes_staff_idx" ON "share_envelopes" USING btree ("staff_user_id");--> statement-breakpoint
CREATE INDEX "share_feedback_share_idx" ON "share_feedback" USING btree ("share_id","created_at");--> statement-breakpoint
CREATE INDEX "share_provisions_report_idx" ON "share_provisions" USING btree ("report_id","provided_on");--> statement-breakpoint
CREATE INDEX "shares_report_idx" ON "shares" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "shares_affiliate_idx" ON "shares" USING btree ("affiliate_id","state");