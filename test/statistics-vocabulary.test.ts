// The statistics vocabulary (policy data) covers what the portal holds: every prefecture, industry, job category
// and skill the seed writes is a value of a known domain, so nothing the portal holds falls outside the tables.
import { describe, expect, it } from 'vitest';
import { GENERAL_SKILLS, INDUSTRIES, JAPANESE_LANGUAGE_SKILLS, JOB_CATEGORIES, PREFECTURES } from '../db/seed/data.ts';
import { applicationStatus } from '../db/schema/employers.ts';
import { campaignChannel } from '../db/schema/marketing.ts';
import {
  APPLICATION_STATUS_DOMAIN,
  CAMPAIGN_CHANNEL_DOMAIN,
  INDUSTRY_DOMAIN,
  JOB_CATEGORY_DOMAIN,
  PREFECTURE_DOMAIN,
  SKILL_DOMAIN,
} from '../directives/statistics/domains.ts';

describe('the statistics vocabulary', () => {
  it('holds every value the portal stores', () => {
    expect([...PREFECTURE_DOMAIN]).toEqual(PREFECTURES.map((p) => p.name));
    expect([...INDUSTRY_DOMAIN].sort()).toEqual([...INDUSTRIES].sort());
    expect([...JOB_CATEGORY_DOMAIN].sort()).toEqual(Object.values(JOB_CATEGORIES).map((c) => c.name).sort());
    const skills = new Set<string>([...GENERAL_SKILLS, ...JAPANESE_LANGUAGE_SKILLS, ...Object.values(JOB_CATEGORIES).flatMap((c) => c.skills)]);
    expect(new Set(SKILL_DOMAIN)).toEqual(skills);
    expect([...APPLICATION_STATUS_DOMAIN]).toEqual(applicationStatus.enumValues);
    expect([...CAMPAIGN_CHANNEL_DOMAIN]).toEqual(campaignChannel.enumValues);
  });
});
