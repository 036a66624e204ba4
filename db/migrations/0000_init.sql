CREATE TYPE "public"."staff_role" AS ENUM('admin', 'investigator', 'affiliate');--> statement-breakpoint
CREATE TYPE "public"."staff_status" AS ENUM('active', 'disabled');--> statement-breakpoint
CREATE TYPE "public"."attachment_source" AS ENUM('reporter', 'investigator');--> statement-breakpoint
CREATE TYPE "public"."report_status" AS ENUM('received', 'acknowledged', 'in_review', 'investigating', 'closed');--> statement-breakpoint
CREATE TYPE "public"."upload_state" AS ENUM('open', 'complete');--> statement-breakpoint
CREATE TABLE "affiliates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name_ko" text NOT NULL,
	"name_en" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "affiliates_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name_ko" text NOT NULL,
	"name_en" text NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "categories_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name_ko" text NOT NULL,
	"name_en" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "staff_users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"display_name" text NOT NULL,
	"role" "staff_role" NOT NULL,
	"affiliate_id" uuid,
	"status" "staff_status" DEFAULT 'active' NOT NULL,
	"kdf_version" integer NOT NULL,
	"kdf_salt" "bytea" NOT NULL,
	"auth_hash" text NOT NULL,
	"public_key" "bytea" NOT NULL,
	"secret_key_wrapped" "bytea" NOT NULL,
	"secret_key_recovery_wrapped" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_users_email_unique" UNIQUE("email"),
	CONSTRAINT "staff_affiliate_matches_role" CHECK (("staff_users"."role" = 'affiliate') = ("staff_users"."affiliate_id" is not null)),
	CONSTRAINT "staff_email_lower" CHECK ("staff_users"."email" = lower("staff_users"."email"))
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"source" "attachment_source" NOT NULL,
	"meta_ct" "bytea" NOT NULL,
	"file_key_wrapped" "bytea" NOT NULL,
	"blob_key" text NOT NULL,
	"ciphertext_bytes" bigint NOT NULL,
	"added_on" date NOT NULL,
	CONSTRAINT "attachments_blob_key_unique" UNIQUE("blob_key")
);
--> statement-breakpoint
CREATE TABLE "report_exclusions" (
	"report_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	CONSTRAINT "report_exclusions_report_id_staff_user_id_pk" PRIMARY KEY("report_id","staff_user_id")
);
--> statement-breakpoint
CREATE TABLE "report_key_envelopes" (
	"report_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"envelope" "bytea" NOT NULL,
	"granted_on" date NOT NULL,
	CONSTRAINT "report_key_envelopes_report_id_staff_user_id_pk" PRIMARY KEY("report_id","staff_user_id")
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_number" text NOT NULL,
	"category_id" uuid NOT NULL,
	"status" "report_status" DEFAULT 'received' NOT NULL,
	"received_on" date NOT NULL,
	"acknowledged_on" date,
	"closed_on" date,
	"updated_on" date NOT NULL,
	"ack_due_on" date NOT NULL,
	"feedback_due_on" date,
	"format_version" smallint DEFAULT 1 NOT NULL,
	"receipt_lookup_hash" "bytea" NOT NULL,
	"reporter_key_wrapped" "bytea" NOT NULL,
	"title_ct" "bytea" NOT NULL,
	"body_ct" "bytea" NOT NULL,
	"identity_ct" "bytea",
	"consent_report" boolean NOT NULL,
	"consent_optional" boolean NOT NULL,
	"consent_affiliate_identity" boolean NOT NULL,
	CONSTRAINT "reports_case_number_unique" UNIQUE("case_number"),
	CONSTRAINT "reports_receipt_lookup_hash_unique" UNIQUE("receipt_lookup_hash"),
	CONSTRAINT "reports_consent_required" CHECK ("reports"."consent_report")
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"state" "upload_state" DEFAULT 'open' NOT NULL,
	"expected_bytes" bigint NOT NULL,
	"received_bytes" bigint DEFAULT 0 NOT NULL,
	"next_part" integer DEFAULT 0 NOT NULL,
	"blob_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "uploads_blob_key_unique" UNIQUE("blob_key")
);
--> statement-breakpoint
ALTER TABLE "staff_users" ADD CONSTRAINT "staff_users_affiliate_id_affiliates_id_fk" FOREIGN KEY ("affiliate_id") REFERENCES "public"."affiliates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_exclusions" ADD CONSTRAINT "report_exclusions_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_exclusions" ADD CONSTRAINT "report_exclusions_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_key_envelopes" ADD CONSTRAINT "report_key_envelopes_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_key_envelopes" ADD CONSTRAINT "report_key_envelopes_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_report_idx" ON "attachments" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "envelopes_staff_idx" ON "report_key_envelopes" USING btree ("staff_user_id");--> statement-breakpoint
CREATE INDEX "reports_status_ack_due_idx" ON "reports" USING btree ("status","ack_due_on");--> statement-breakpoint
CREATE INDEX "reports_received_idx" ON "reports" USING btree ("received_on");