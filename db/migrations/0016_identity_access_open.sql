-- One pending or released identity access per investigator and case (ADR 052), also for requests that race.
-- A plain build: the table holds a few rows per case. No release before this one has the table (0013 is newer
-- than release 0.1.0), and every request since 0013 checked the rule under a row lock, so nothing violates it.
CREATE UNIQUE INDEX "identity_accesses_open_idx" ON "identity_accesses" USING btree ("report_id","staff_user_id") WHERE "identity_accesses"."state" in ('pending', 'released');