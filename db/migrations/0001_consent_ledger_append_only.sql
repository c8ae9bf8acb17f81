-- The consent ledger is evidence: rows are appended, never changed or removed.
CREATE FUNCTION "privacy"."refuse_ledger_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'privacy.% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "consent_events_append_only"
  BEFORE UPDATE OR DELETE ON "privacy"."consent_events"
  FOR EACH ROW EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
--> statement-breakpoint
CREATE TRIGGER "consent_events_no_truncate"
  BEFORE TRUNCATE ON "privacy"."consent_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "privacy"."refuse_ledger_change"();
