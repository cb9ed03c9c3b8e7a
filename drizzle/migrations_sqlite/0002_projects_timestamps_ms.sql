-- Custom SQL migration file, put your code below! --
-- Projects stored their timestamps in seconds before this migration; the schema now reads
-- milliseconds (a PATCH within the same second moved nothing). A value below 10^11 is in
-- seconds (10^11 s is the year 5138; 10^11 ms is 1973), so running this twice changes nothing.
UPDATE `projects` SET
  `created_at` = CASE WHEN `created_at` < 100000000000 THEN `created_at` * 1000 ELSE `created_at` END,
  `updated_at` = CASE WHEN `updated_at` < 100000000000 THEN `updated_at` * 1000 ELSE `updated_at` END;
