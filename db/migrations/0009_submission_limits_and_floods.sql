ALTER TYPE "public"."staff_event" ADD VALUE 'report_flood';--> statement-breakpoint
ALTER TYPE "public"."staff_event" ADD VALUE 'report_flood_ended';--> statement-breakpoint
CREATE TABLE "report_floods" (
	"window_start" timestamp with time zone PRIMARY KEY NOT NULL,
	"flood_id" uuid NOT NULL,
	"reports" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "submission_counters" (
	"subject" text NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "submission_counters_subject_window_end_pk" PRIMARY KEY("subject","window_end")
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "flood_id" uuid;--> statement-breakpoint
ALTER TABLE "staff_notifications" ADD COLUMN "flood_id" uuid;--> statement-breakpoint
CREATE INDEX "report_floods_flood_idx" ON "report_floods" USING btree ("flood_id");--> statement-breakpoint
CREATE INDEX "submission_counters_end_idx" ON "submission_counters" USING btree ("window_end");--> statement-breakpoint
CREATE INDEX "reports_flood_idx" ON "reports" USING btree ("flood_id") WHERE "reports"."flood_id" is not null;