CREATE TYPE "public"."mask_reason" AS ENUM('investigation_need', 'reporter_request', 'masked_in_error', 'legal_obligation');--> statement-breakpoint
CREATE TABLE "case_masks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"body_ct" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" uuid,
	"lift_reason" "mask_reason"
);
--> statement-breakpoint
ALTER TABLE "case_masks" ADD CONSTRAINT "case_masks_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_masks" ADD CONSTRAINT "case_masks_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_masks" ADD CONSTRAINT "case_masks_lifted_by_staff_users_id_fk" FOREIGN KEY ("lifted_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_masks_report_idx" ON "case_masks" USING btree ("report_id","created_at");