CREATE TABLE "privacy"."privacy_budgets" (
	"owner" text NOT NULL,
	"period" text NOT NULL,
	"epsilon_spent_milli" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "privacy_budgets_pkey" PRIMARY KEY("owner","period")
);
--> statement-breakpoint
CREATE TABLE "privacy"."statistics_releases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"period" text NOT NULL,
	"query_key" text NOT NULL,
	"query" text NOT NULL,
	"analyst" text NOT NULL,
	"epsilon_milli" integer NOT NULL,
	"answer" jsonb NOT NULL,
	"released_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "statistics_releases_period_query_key" UNIQUE("period","query_key")
);
--> statement-breakpoint
CREATE INDEX "statistics_releases_released_at_idx" ON "privacy"."statistics_releases" USING btree ("released_at","id");--> statement-breakpoint
-- Released statistics are the record of what was disclosed and at what ε: appended, never changed or removed.
CREATE TRIGGER "statistics_releases_append_only"
  BEFORE UPDATE OR DELETE ON "privacy"."statistics_releases"
  FOR EACH ROW EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
--> statement-breakpoint
CREATE TRIGGER "statistics_releases_no_truncate"
  BEFORE TRUNCATE ON "privacy"."statistics_releases"
  FOR EACH STATEMENT EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
