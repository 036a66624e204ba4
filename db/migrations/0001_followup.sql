CREATE TYPE "public"."message_author" AS ENUM('reporter', 'investigator');--> statement-breakpoint
CREATE TYPE "public"."privacy_request_kind" AS ENUM('access', 'correction', 'deletion', 'suspension');--> statement-breakpoint
CREATE TYPE "public"."privacy_request_state" AS ENUM('open', 'answered');--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"author" "message_author" NOT NULL,
	"staff_user_id" uuid,
	"body_ct" "bytea" NOT NULL,
	"sent_on" date NOT NULL,
	"read_by_reporter_on" date,
	CONSTRAINT "messages_staff_author" CHECK (("messages"."author" = 'investigator') = ("messages"."staff_user_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "privacy_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"kind" "privacy_request_kind" NOT NULL,
	"state" "privacy_request_state" DEFAULT 'open' NOT NULL,
	"detail_ct" "bytea",
	"requested_on" date NOT NULL,
	"due_on" date NOT NULL,
	"answer_ct" "bytea",
	"answered_on" date,
	"answered_by" uuid
);
--> statement-breakpoint
CREATE TABLE "reporter_sessions" (
	"token_hash" "bytea" PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_staff_user_id_staff_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_requests" ADD CONSTRAINT "privacy_requests_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_requests" ADD CONSTRAINT "privacy_requests_answered_by_staff_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporter_sessions" ADD CONSTRAINT "reporter_sessions_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_report_seq_idx" ON "messages" USING btree ("report_id","seq");--> statement-breakpoint
CREATE INDEX "privacy_requests_report_idx" ON "privacy_requests" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "privacy_requests_due_idx" ON "privacy_requests" USING btree ("state","due_on");--> statement-breakpoint
CREATE INDEX "reporter_sessions_report_idx" ON "reporter_sessions" USING btree ("report_id");