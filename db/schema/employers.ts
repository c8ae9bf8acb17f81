import { index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Employers, their job postings and the applications they receive. */
export const employersSchema = pgSchema('employers');

export const jobStatus = employersSchema.enum('job_status', ['OPEN', 'CLOSED']);
export const employmentType = employersSchema.enum('employment_type', [
  'FULL_TIME',
  'CONTRACT',
  'PART_TIME',
  'TEMPORARY',
  'INTERNSHIP',
]);
export const applicationStatus = employersSchema.enum('application_status', [
  'SUBMITTED',
  'SCREENING',
  'INTERVIEW',
  'OFFERED',
  'HIRED',
  'REJECTED',
  'WITHDRAWN',
]);

export const employers = employersSchema.table('employers', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  industry: text('industry').notNull(),
  prefecture: text('prefecture').notNull(),
  city: text('city').notNull(),
  website: text('website'),
  employeeCount: integer('employee_count'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const jobs = employersSchema.table(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    employerId: uuid('employer_id')
      .notNull()
      .references(() => employers.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull(),
    category: text('category').notNull(),
    industry: text('industry').notNull(),
    prefecture: text('prefecture').notNull(),
    city: text('city').notNull(),
    employmentType: employmentType('employment_type').notNull(),
    salaryMin: integer('salary_min'),
    salaryMax: integer('salary_max'),
    status: jobStatus('status').notNull().default('OPEN'),
    postedAt: timestamp('posted_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('jobs_employer_idx').on(t.employerId),
    index('jobs_posted_idx').on(t.postedAt, t.id),
  ],
);

export const applications = employersSchema.table(
  'applications',
  {
    id: uuid('id').primaryKey(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    // The candidate belongs to the users subgraph: no foreign key crosses two subgraph schemas, and removing a
    // candidate's rows here is this subgraph's own data-subject erasure, never a cascade from another schema.
    candidateId: uuid('candidate_id').notNull(),
    coverLetter: text('cover_letter'),
    status: applicationStatus('status').notNull().default('SUBMITTED'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('applications_job_idx').on(t.jobId, t.createdAt),
    index('applications_candidate_idx').on(t.candidateId, t.createdAt),
  ],
);
