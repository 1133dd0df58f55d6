-- What changes whenever an ingest starts or finishes: a reprocess that released the database
-- between its batches checks it to know whether its snapshot of the samples is still current.
SELECT count(*) AS runs, max(started_at) AS started, max(finished_at) AS finished FROM ingest_runs;
