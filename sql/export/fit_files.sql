-- `hamflow export`: Every file, by athlete.
SELECT * FROM fit_files;
