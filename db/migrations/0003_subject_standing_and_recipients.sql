CREATE TYPE "privacy"."subject_standing" AS ENUM('ACTIVE', 'SUSPENDED', 'WITHDRAWN');--> statement-breakpoint
CREATE TABLE "privacy"."recipients" (
	"recipient_id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "privacy"."subjects" (
	"subject_id" uuid PRIMARY KEY NOT NULL,
	"standing" "privacy"."subject_standing" DEFAULT 'ACTIVE' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Every candidate becomes a registered data subject with the standing their account had, and every employer a
-- registered recipient, before the candidates' own status column goes (next migration).
INSERT INTO "privacy"."subjects" ("subject_id", "standing", "updated_at")
	SELECT "id", "status"::text::"privacy"."subject_standing", "updated_at" FROM "users"."candidates";
--> statement-breakpoint
INSERT INTO "privacy"."recipients" ("recipient_id", "kind", "registered_at")
	SELECT "id", 'EMPLOYER', now() FROM "employers"."employers";
