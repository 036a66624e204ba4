ALTER TYPE "public"."staff_event" ADD VALUE 'storage_low';--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "client_key" text;--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "reserved_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "uploads_client_key_idx" ON "uploads" USING btree ("client_key");