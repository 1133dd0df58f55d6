-- A run ends ($status: completed | failed): its counts and message, and the files that are not
-- FIT by extension ($not_fit_extensions with $not_fit_counts, in the same order).
UPDATE ingest_runs SET
    finished_at = $finished_at,
    status = $status,
    message = $message,
    files_seen = $files_seen,
    files_new = $files_new,
    files_known = $files_known,
    files_quarantined = $files_quarantined,
    files_not_activity = $files_not_activity,
    files_deferred = $files_deferred,
    workouts_added = $workouts_added,
    weeks_updated = $weeks_updated,
    workouts_recalibrated = $workouts_recalibrated,
    workouts_merged = $workouts_merged,
    files_not_fit = $files_not_fit,
    not_fit_by_extension = MAP($not_fit_extensions::VARCHAR[], $not_fit_counts::INTEGER[])
WHERE run_id = $run_id;
