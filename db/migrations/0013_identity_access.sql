CREATE TYPE "public"."identity_access_state" AS ENUM('pending', 'released', 'refused');--> statement-breakpoint
CREATE TABLE "identity_access_settings" (
	"id" smallint PRIMARY KEY NOT NULL,
	"require_approval" boolean NOT NULL,
	"reasons" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_accesses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"reason_code" text NOT NULL,
	"reason_label_ko" text NOT NULL,
	"reason_label_en" text NOT NULL,
	"reason_ct" "bytea" NOT NULL,
	"state" "identity_access_state" NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"released_on" date,
	CONSTRAINT "identity_accesses_decider" CHECK ("identity_accesses"."decided_by" is null or "identity_accesses"."decided_by" <> "identity_accesses"."staff_user_id")
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "identity_key_wrapped" "bytea";--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "notify_address_ct" "bytea";--> statement-breakpoint
ALTER TABLE "identity_accesses" ADD CONSTRAINT "identity_accesses_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_accesses" ADD CONSTRAINT "identity_accesses_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_accesses" ADD CONSTRAINT "identity_accesses_decided_by_staff_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "identity_accesses_report_idx" ON "identity_accesses" USING btree ("report_id","requested_at");