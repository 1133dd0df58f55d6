-- `hamflow export`: the files of one athlete.
SELECT * FROM fit_files WHERE athlete_id = $athlete;
