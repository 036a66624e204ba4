CREATE TYPE "public"."notify_mode" AS ENUM('immediate', 'digest');--> statement-breakpoint
CREATE TYPE "public"."reporter_event" AS ENUM('acknowledged', 'message', 'question', 'privacy_answer', 'closed');--> statement-breakpoint
CREATE TYPE "public"."reporter_notification_state" AS ENUM('sent', 'failed');--> statement-breakpoint
CREATE TYPE "public"."staff_event" AS ENUM('new_case', 'reporter_message', 'privacy_request', 'ack_due_soon', 'feedback_due_soon', 'case_overdue', 'share_new', 'share_updated', 'account_locked', 'audit_broken');--> statement-breakpoint
CREATE TABLE "reporter_notifications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"event" "reporter_event" NOT NULL,
	"state" "reporter_notification_state" NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_notification_prefs" (
	"staff_user_id" uuid PRIMARY KEY NOT NULL,
	"mode" "notify_mode" DEFAULT 'immediate' NOT NULL,
	"digest_sent_on" date
);
--> statement-breakpoint
CREATE TABLE "staff_notifications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"staff_user_id" uuid NOT NULL,
	"event" "staff_event" NOT NULL,
	"report_id" uuid,
	"share_id" uuid,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"emailed_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "reporter_notifications" ADD CONSTRAINT "reporter_notifications_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporter_notifications" ADD CONSTRAINT "reporter_notifications_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_notification_prefs" ADD CONSTRAINT "staff_notification_prefs_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_notifications" ADD CONSTRAINT "staff_notifications_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_notifications" ADD CONSTRAINT "staff_notifications_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_notifications" ADD CONSTRAINT "staff_notifications_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reporter_notifications_report_idx" ON "reporter_notifications" USING btree ("report_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_notifications_dedupe_idx" ON "staff_notifications" USING btree ("staff_user_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "staff_notifications_outbox_idx" ON "staff_notifications" USING btree ("emailed_at","created_at") WHERE "staff_notifications"."emailed_at" is null;--> statement-breakpoint
CREATE INDEX "staff_notifications_staff_idx" ON "staff_notifications" USING btree ("staff_user_id","created_at");