ALTER TABLE "users"."candidates" DROP COLUMN "status";--> statement-breakpoint
DROP TYPE "users"."candidate_status";