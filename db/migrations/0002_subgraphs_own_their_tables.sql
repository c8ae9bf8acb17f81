ALTER TABLE "employers"."applications" DROP CONSTRAINT "applications_candidate_id_candidates_id_fk";
--> statement-breakpoint
ALTER TABLE "marketing"."ad_identifiers" DROP CONSTRAINT "ad_identifiers_candidate_id_candidates_id_fk";
--> statement-breakpoint
ALTER TABLE "marketing"."campaign_recipients" DROP CONSTRAINT "campaign_recipients_candidate_id_candidates_id_fk";
--> statement-breakpoint
ALTER TABLE "marketing"."survey_responses" DROP CONSTRAINT "survey_responses_candidate_id_candidates_id_fk";
