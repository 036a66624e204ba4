DROP INDEX "envelopes_staff_idx";--> statement-breakpoint
DROP INDEX "reports_assignee_idx";--> statement-breakpoint
CREATE INDEX "envelopes_staff_report_idx" ON "report_key_envelopes" USING btree ("staff_user_id","report_id");--> statement-breakpoint
CREATE INDEX "reports_open_idx" ON "reports" USING btree ("id") WHERE "reports"."status" <> 'closed';--> statement-breakpoint
CREATE INDEX "reports_assignee_idx" ON "reports" USING btree ("assignee_id","id");