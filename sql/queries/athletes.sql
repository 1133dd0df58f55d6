SELECT DISTINCT athlete_id FROM fit_files ORDER BY athlete_id;
