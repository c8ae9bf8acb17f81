CREATE TABLE "privacy"."access_log" (
	"chain_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"event" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"request_id" text,
	"caller_sub" text,
	"role" text,
	"org" text,
	"purpose" text,
	"legal_basis" text,
	"operation_name" text,
	"operation_type" text,
	"document_hash" text,
	"outcome" text NOT NULL,
	"released" text[] NOT NULL,
	"masked" jsonb NOT NULL,
	"withheld" jsonb NOT NULL,
	"subjects" text[] NOT NULL,
	"detail" jsonb NOT NULL,
	CONSTRAINT "access_log_pkey" PRIMARY KEY("chain_id","seq")
);
--> statement-breakpoint
CREATE TABLE "privacy"."access_log_checkpoints" (
	"chain_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"final" boolean NOT NULL,
	"signed_at" timestamp (3) with time zone NOT NULL,
	"signature" text NOT NULL,
	CONSTRAINT "access_log_checkpoints_pkey" PRIMARY KEY("chain_id","seq","final")
);
--> statement-breakpoint
CREATE TABLE "privacy"."provision_records" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "privacy"."provision_records_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"record_key" text NOT NULL,
	"provided_on" text NOT NULL,
	"recipient_kind" text NOT NULL,
	"recipient_id" uuid,
	"subject_id" uuid NOT NULL,
	"items" text[] NOT NULL,
	"categories" text[] NOT NULL,
	"basis_kind" text NOT NULL,
	"consent_event_id" bigint,
	"legal_basis" text,
	"request_id" text NOT NULL,
	"first_provided_at" timestamp (3) with time zone NOT NULL,
	"last_provided_at" timestamp (3) with time zone NOT NULL,
	"provision_count" integer NOT NULL,
	CONSTRAINT "provision_records_record_key_key" UNIQUE("record_key")
);
--> statement-breakpoint
CREATE INDEX "access_log_request_idx" ON "privacy"."access_log" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "access_log_time_idx" ON "privacy"."access_log" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "access_log_subjects_idx" ON "privacy"."access_log" USING gin ("subjects");--> statement-breakpoint
CREATE INDEX "provision_records_subject_idx" ON "privacy"."provision_records" USING btree ("subject_id","provided_on","id");--> statement-breakpoint
CREATE INDEX "provision_records_recipient_idx" ON "privacy"."provision_records" USING btree ("recipient_id","provided_on");
--> statement-breakpoint
-- The access log and its checkpoints are evidence, like the consent ledger: appended, never changed or removed.
CREATE TRIGGER "access_log_append_only"
  BEFORE UPDATE OR DELETE ON "privacy"."access_log"
  FOR EACH ROW EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
--> statement-breakpoint
CREATE TRIGGER "access_log_no_truncate"
  BEFORE TRUNCATE ON "privacy"."access_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
--> statement-breakpoint
CREATE TRIGGER "access_log_checkpoints_append_only"
  BEFORE UPDATE OR DELETE ON "privacy"."access_log_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
--> statement-breakpoint
CREATE TRIGGER "access_log_checkpoints_no_truncate"
  BEFORE TRUNCATE ON "privacy"."access_log_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
--> statement-breakpoint
-- A provision record (APPI Art. 29) is a bulk record: only its count and its last provision may change (forward),
-- and it is kept 3 years from its last provision; deleting older records is the retention job's.
CREATE FUNCTION "privacy"."guard_provision_record"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  probe "privacy"."provision_records";
BEGIN
  IF TG_OP = 'UPDATE' THEN
    probe := NEW;
    probe.provision_count := OLD.provision_count;
    probe.last_provided_at := OLD.last_provided_at;
    IF probe IS DISTINCT FROM OLD OR NEW.provision_count < OLD.provision_count OR NEW.last_provided_at < OLD.last_provided_at THEN
      RAISE EXCEPTION 'privacy.provision_records: only provision_count and last_provided_at may change, and only forward'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.last_provided_at > now() - interval '3 years' THEN
    RAISE EXCEPTION 'privacy.provision_records: a record is kept 3 years from its last provision: DELETE refused'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "provision_records_guard"
  BEFORE UPDATE OR DELETE ON "privacy"."provision_records"
  FOR EACH ROW EXECUTE FUNCTION "privacy"."guard_provision_record"();
--> statement-breakpoint
CREATE TRIGGER "provision_records_no_truncate"
  BEFORE TRUNCATE ON "privacy"."provision_records"
  FOR EACH STATEMENT EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
