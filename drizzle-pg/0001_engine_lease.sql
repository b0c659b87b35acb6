CREATE TABLE "engine_lease" (
	"id" integer PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"epoch" integer NOT NULL,
	"expires_at" bigint NOT NULL,
	"renewed_at" bigint NOT NULL,
	CONSTRAINT "engine_lease_one_row" CHECK ("engine_lease"."id" = 1),
	CONSTRAINT "engine_lease_epoch_positive" CHECK ("engine_lease"."epoch" >= 1)
);
