-- `hamflow export`: View: the quarantined files, by athlete.
SELECT * FROM quarantined_files;
