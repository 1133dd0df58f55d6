-- Where a run spent its time (the columns of 002_run_timings.sql and 010_post_write_timings.sql), in seconds.
UPDATE ingest_runs SET
    discover_s = $discover_s,
    decode_s = $decode_s,
    classify_s = $classify_s,
    prepare_wait_s = $prepare_wait_s,
    write_s = $write_s,
    weekly_s = $weekly_s,
    finish_s = $finish_s,
    survey_s = $survey_s,
    merge_s = $merge_s,
    calibrate_s = $calibrate_s
WHERE run_id = $run_id;
