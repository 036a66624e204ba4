CREATE TABLE "pow_spent" (
	"challenge_hash" "bytea" PRIMARY KEY NOT NULL,
	"client_key" text NOT NULL,
	"action" text NOT NULL,
	"spent_at" timestamp with time zone NOT NULL,
	"failed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX "pow_spent_spent_at_idx" ON "pow_spent" USING btree ("spent_at");--> statement-breakpoint
CREATE INDEX "pow_spent_client_idx" ON "pow_spent" USING btree ("client_key","spent_at");