-- `hamflow export`: Every file, by athlete.
SELECT * FROM fit_files ORDER BY athlete_id, file_sha256;
