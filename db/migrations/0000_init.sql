CREATE SCHEMA "users";
--> statement-breakpoint
CREATE SCHEMA "employers";
--> statement-breakpoint
CREATE SCHEMA "marketing";
--> statement-breakpoint
CREATE SCHEMA "privacy";
--> statement-breakpoint
CREATE TYPE "users"."candidate_status" AS ENUM('ACTIVE', 'SUSPENDED', 'WITHDRAWN');--> statement-breakpoint
CREATE TYPE "employers"."application_status" AS ENUM('SUBMITTED', 'SCREENING', 'INTERVIEW', 'OFFERED', 'HIRED', 'REJECTED', 'WITHDRAWN');--> statement-breakpoint
CREATE TYPE "employers"."employment_type" AS ENUM('FULL_TIME', 'CONTRACT', 'PART_TIME', 'TEMPORARY', 'INTERNSHIP');--> statement-breakpoint
CREATE TYPE "employers"."job_status" AS ENUM('OPEN', 'CLOSED');--> statement-breakpoint
CREATE TYPE "marketing"."ad_identifier_kind" AS ENUM('COOKIE', 'IDFA', 'GAID');--> statement-breakpoint
CREATE TYPE "marketing"."campaign_channel" AS ENUM('EMAIL', 'POST', 'PHONE');--> statement-breakpoint
CREATE TYPE "marketing"."campaign_status" AS ENUM('DRAFT', 'SCHEDULED', 'SENT');--> statement-breakpoint
CREATE TYPE "privacy"."consent_action" AS ENUM('GRANT', 'WITHDRAW');--> statement-breakpoint
CREATE TYPE "privacy"."consent_source" AS ENUM('PRIVACY_CENTER', 'JOB_APPLICATION', 'SIGN_UP', 'SUPPORT', 'IMPORT');--> statement-breakpoint
CREATE TABLE "users"."addresses" (
	"candidate_id" uuid PRIMARY KEY NOT NULL,
	"postal_code" text NOT NULL,
	"prefecture" text NOT NULL,
	"city" text NOT NULL,
	"street" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users"."candidates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"full_name" text NOT NULL,
	"full_name_kana" text NOT NULL,
	"email" text NOT NULL,
	"phone" text,
	"birth_date" date,
	"gender" text,
	"desired_industries" text[] DEFAULT '{}' NOT NULL,
	"desired_prefectures" text[] DEFAULT '{}' NOT NULL,
	"status" "users"."candidate_status" DEFAULT 'ACTIVE' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "candidates_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "users"."residence_cards" (
	"candidate_id" uuid PRIMARY KEY NOT NULL,
	"card_number" text NOT NULL,
	"nationality" text NOT NULL,
	"status_of_residence" text NOT NULL,
	"expires_on" date NOT NULL,
	CONSTRAINT "residence_cards_card_number_unique" UNIQUE("card_number")
);
--> statement-breakpoint
CREATE TABLE "users"."resumes" (
	"candidate_id" uuid PRIMARY KEY NOT NULL,
	"summary" text NOT NULL,
	"skills" text[] DEFAULT '{}' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users"."work_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"candidate_id" uuid NOT NULL,
	"company" text NOT NULL,
	"title" text NOT NULL,
	"started_on" date NOT NULL,
	"ended_on" date,
	"description" text
);
--> statement-breakpoint
CREATE TABLE "employers"."applications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"cover_letter" text,
	"status" "employers"."application_status" DEFAULT 'SUBMITTED' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "employers"."employers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"industry" text NOT NULL,
	"prefecture" text NOT NULL,
	"city" text NOT NULL,
	"website" text,
	"employee_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "employers"."jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"employer_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"category" text NOT NULL,
	"industry" text NOT NULL,
	"prefecture" text NOT NULL,
	"city" text NOT NULL,
	"employment_type" "employers"."employment_type" NOT NULL,
	"salary_min" integer,
	"salary_max" integer,
	"status" "employers"."job_status" DEFAULT 'OPEN' NOT NULL,
	"posted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "marketing"."ad_identifiers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"candidate_id" uuid NOT NULL,
	"kind" "marketing"."ad_identifier_kind" NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "marketing"."campaign_recipients" (
	"campaign_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"sent_at" timestamp with time zone,
	"opened_at" timestamp with time zone,
	CONSTRAINT "campaign_recipients_campaign_id_candidate_id_pk" PRIMARY KEY("campaign_id","candidate_id")
);
--> statement-breakpoint
CREATE TABLE "marketing"."campaigns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"channel" "marketing"."campaign_channel" NOT NULL,
	"status" "marketing"."campaign_status" DEFAULT 'DRAFT' NOT NULL,
	"target_industry" text,
	"target_prefecture" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "marketing"."survey_responses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"survey_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"answers" jsonb NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "marketing"."surveys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"questions" jsonb NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "privacy"."consent_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"recipient_id" uuid,
	"action" "privacy"."consent_action" NOT NULL,
	"policy_version" text NOT NULL,
	"source" "privacy"."consent_source" NOT NULL,
	"actor" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "privacy"."consents" (
	"subject_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"recipient_id" uuid,
	"state" text NOT NULL,
	"policy_version" text NOT NULL,
	"source" "privacy"."consent_source" NOT NULL,
	"last_event_id" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	CONSTRAINT "consents_subject_purpose_recipient_key" UNIQUE NULLS NOT DISTINCT("subject_id","purpose","recipient_id")
);
--> statement-breakpoint
ALTER TABLE "users"."addresses" ADD CONSTRAINT "addresses_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "users"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users"."residence_cards" ADD CONSTRAINT "residence_cards_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "users"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users"."resumes" ADD CONSTRAINT "resumes_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "users"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users"."work_history" ADD CONSTRAINT "work_history_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "users"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employers"."applications" ADD CONSTRAINT "applications_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "employers"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employers"."applications" ADD CONSTRAINT "applications_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "users"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employers"."jobs" ADD CONSTRAINT "jobs_employer_id_employers_id_fk" FOREIGN KEY ("employer_id") REFERENCES "employers"."employers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketing"."ad_identifiers" ADD CONSTRAINT "ad_identifiers_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "users"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketing"."campaign_recipients" ADD CONSTRAINT "campaign_recipients_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "marketing"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketing"."campaign_recipients" ADD CONSTRAINT "campaign_recipients_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "users"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketing"."survey_responses" ADD CONSTRAINT "survey_responses_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "marketing"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketing"."survey_responses" ADD CONSTRAINT "survey_responses_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "users"."candidates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "candidates_created_at_idx" ON "users"."candidates" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "work_history_candidate_idx" ON "users"."work_history" USING btree ("candidate_id","started_on");--> statement-breakpoint
CREATE INDEX "applications_job_idx" ON "employers"."applications" USING btree ("job_id","created_at");--> statement-breakpoint
CREATE INDEX "applications_candidate_idx" ON "employers"."applications" USING btree ("candidate_id","created_at");--> statement-breakpoint
CREATE INDEX "jobs_employer_idx" ON "employers"."jobs" USING btree ("employer_id");--> statement-breakpoint
CREATE INDEX "jobs_posted_idx" ON "employers"."jobs" USING btree ("posted_at","id");--> statement-breakpoint
CREATE INDEX "ad_identifiers_candidate_idx" ON "marketing"."ad_identifiers" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "survey_responses_candidate_idx" ON "marketing"."survey_responses" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "consent_events_subject_idx" ON "privacy"."consent_events" USING btree ("subject_id","occurred_at");--> statement-breakpoint
CREATE INDEX "consents_purpose_recipient_idx" ON "privacy"."consents" USING btree ("purpose","recipient_id","subject_id");