CREATE TYPE "privacy"."dsr_kind" AS ENUM('EXPORT', 'CORRECTION', 'RESTRICTION', 'LIFT_RESTRICTION', 'ERASURE');--> statement-breakpoint
CREATE TYPE "privacy"."dsr_status" AS ENUM('RECEIVED', 'IN_PROGRESS', 'COMPLETED', 'DENIED');--> statement-breakpoint
CREATE TABLE "privacy"."dsr_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" "privacy"."dsr_kind" NOT NULL,
	"subject_id" uuid NOT NULL,
	"filed_by" text NOT NULL,
	"filed_by_role" text NOT NULL,
	"verification" text,
	"status" "privacy"."dsr_status" DEFAULT 'RECEIVED' NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"completed_at" timestamp (3) with time zone,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"denial_reason" text,
	"logged_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "privacy"."legal_holds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"set_by" text NOT NULL,
	"set_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"released_by" text,
	"released_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "privacy"."restrictions" (
	"subject_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"request_id" uuid NOT NULL,
	"restricted_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "restrictions_pkey" PRIMARY KEY("subject_id","purpose")
);
--> statement-breakpoint
CREATE TABLE "privacy"."retention_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"ran_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"owner" text NOT NULL,
	"collection" text NOT NULL,
	"subject_id" uuid,
	"rule" text NOT NULL,
	"rows" integer NOT NULL,
	"reason" text NOT NULL,
	"anonymised" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users"."resumes" ADD COLUMN "received_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "dsr_requests_subject_idx" ON "privacy"."dsr_requests" USING btree ("subject_id","received_at");--> statement-breakpoint
CREATE INDEX "dsr_requests_open_idx" ON "privacy"."dsr_requests" USING btree ("status","due_at") WHERE status in ('RECEIVED', 'IN_PROGRESS');--> statement-breakpoint
CREATE INDEX "dsr_requests_unlogged_idx" ON "privacy"."dsr_requests" USING btree ("received_at") WHERE logged_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "legal_holds_standing_key" ON "privacy"."legal_holds" USING btree ("subject_id") WHERE released_at is null;--> statement-breakpoint
CREATE INDEX "retention_log_run_idx" ON "privacy"."retention_log" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "retention_log_subject_idx" ON "privacy"."retention_log" USING btree ("subject_id");--> statement-breakpoint
-- A CV held before this migration was received when it was last written.
UPDATE "users"."resumes" SET "received_at" = "updated_at";
--> statement-breakpoint
-- What retention deleted is evidence: appended, never changed or removed.
CREATE TRIGGER "retention_log_append_only"
  BEFORE UPDATE OR DELETE ON "privacy"."retention_log"
  FOR EACH ROW EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
--> statement-breakpoint
CREATE TRIGGER "retention_log_no_truncate"
  BEFORE TRUNCATE ON "privacy"."retention_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
